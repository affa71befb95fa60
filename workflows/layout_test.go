package workflows

import (
	"time"

	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"strings"
	"testing"

	"github.com/putian-fic/caseflow/workflows/domain"
)

// TestEveryActionIsWholeInOneFile: an action's body, its Validate, check and apply, and the
// deadline effect of the event it records are written in one file (its stage's), so that a
// reader finds what an action does in one place.
func TestEveryActionIsWholeInOneFile(t *testing.T) {
	fset := token.NewFileSet()
	pkgs, err := parser.ParseDir(fset, ".", func(fi fs.FileInfo) bool {
		return !strings.HasSuffix(fi.Name(), "_test.go")
	}, 0)
	if err != nil {
		t.Fatal(err)
	}
	where := map[string]string{} // "Type", "Type.Method" or "func" → file
	for _, f := range pkgs["workflows"].Files {
		file := fset.Position(f.Pos()).Filename
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.GenDecl:
				for _, s := range d.Specs {
					if ts, ok := s.(*ast.TypeSpec); ok {
						where[ts.Name.Name] = file
					}
				}
			case *ast.FuncDecl:
				name := d.Name.Name
				if d.Recv != nil {
					recv := d.Recv.List[0].Type
					if star, ok := recv.(*ast.StarExpr); ok {
						recv = star.X
					}
					if id, ok := recv.(*ast.Ident); ok {
						name = id.Name + "." + name
					}
				}
				where[name] = file
			}
		}
	}
	bodies := []string{"TriageBody", "ReferBody", "SignBody", "ProgressBody", "ReturnBody", "CompleteBody",
		"ExtendBody", "DecideExtensionBody", "CallbackBody", "CloseBody", "ReopenBody", "CommentBody", "UrgeBody", "CardBody", "MergeBody",
		"AppealBody", "DecideAppealBody"}
	if len(bodies) != len(Actions)+2 {
		t.Fatalf("%d bodies listed here, %d actions and the two appeal actions in the table", len(bodies), len(Actions))
	}
	for _, body := range bodies {
		home := where[body]
		for _, m := range []string{"Validate", "check", "apply"} {
			if got, ok := where[body+"."+m]; !ok || got != home {
				t.Errorf("%s.%s is in %q, the body in %q", body, m, got, home)
			}
		}
	}
	effects := map[string]string{"referredDeadlines": "ReferBody", "completedDeadlines": "CompleteBody",
		"calledBackDeadlines": "CallbackBody", "reopenedDeadlines": "ReopenBody", "extensionApprovedDeadlines": "DecideExtensionBody",
		"triagedDeadlines": "TriageBody"}
	for effect, body := range effects {
		if where[effect] != where[body] {
			t.Errorf("%s is in %q, its action's body %s in %q", effect, where[effect], body, where[body])
		}
	}
}

// TestAnActionIsOfferedExactlyToWhoMayTakeItNow: Allowed runs the action's own check, so a
// button shows for the signed lead unit's completion and not for another unit, a role
// without the right, or a case in another status; a refusal for the body alone (an empty
// report) still offers the action.
func TestAnActionIsOfferedExactlyToWhoMayTakeItNow(t *testing.T) {
	now := time.Date(2026, 12, 2, 10, 0, 0, 0, domain.Shanghai)
	handling := domain.Case{ID: "C", Status: domain.StatusHandling, Office: domain.OfficeParty, LeadUnit: "natural-resources",
		ReferredUnits: []string{"natural-resources"}, SignedUnits: []string{"natural-resources"}}
	complete, _ := ActionByName(UpdateComplete)
	triage, _ := ActionByName(UpdateTriage)
	lead := domain.Actor{Username: "nr", Role: domain.RoleUnit, Unit: "natural-resources"}
	other := domain.Actor{Username: "lc", Role: domain.RoleUnit, Unit: "licheng"}
	member := domain.Actor{Username: "member", Role: domain.RoleMemberDept}
	for _, tc := range []struct {
		action Action
		c      domain.Case
		actor  domain.Actor
		want   bool
	}{
		{complete, handling, lead, true},
		{complete, handling, other, false},
		{complete, handling, member, false},
		{triage, handling, member, false},
		{triage, domain.Case{ID: "T", Status: domain.StatusTriage}, member, true},
		{triage, domain.Case{ID: "T", Status: domain.StatusTriage}, lead, false},
	} {
		if got := tc.action.Allowed(&tc.c, tc.actor, now); got != tc.want {
			t.Errorf("%s on a %s case by %s: allowed %v, want %v", tc.action.Name, tc.c.Status, tc.actor.Username, got, tc.want)
		}
	}
}
