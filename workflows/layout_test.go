package workflows

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"strings"
	"testing"
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
		"ExtendBody", "DecideExtensionBody", "CallbackBody", "CloseBody", "ReopenBody", "CommentBody", "MergeBody",
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
