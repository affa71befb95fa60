package devenv_test

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/putian-fic/caseflow/workflows/domain"
)

// Files as their types' first bytes make them (the type is decided by content).
var (
	aPDF = []byte("%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
	aPNG = append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"),
		bytes.Repeat([]byte{0}, 32)...)
	anEXE = append([]byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"), bytes.Repeat([]byte{0}, 200)...)
)

// aDOCX is a Word document as far as its bytes tell.
func aDOCX(t *testing.T) []byte {
	var buf bytes.Buffer
	z := zip.NewWriter(&buf)
	for _, name := range []string{"[Content_Types].xml", "word/document.xml"} {
		w, err := z.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><x/>`)
	}
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// upload posts one file as multipart/form-data, its part named field.
func (c *apiClient) upload(path, field, name string, data []byte) response {
	c.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	w, err := mw.CreateFormFile(field, name)
	if err != nil {
		c.t.Fatal(err)
	}
	_, _ = w.Write(data)
	_ = mw.Close()
	return c.do("POST", path, body.String(), map[string]string{"Content-Type": mw.FormDataContentType()})
}

// download fetches a file's bytes.
func (c *apiClient) download(id string) (int, http.Header, []byte) {
	c.t.Helper()
	req, _ := http.NewRequest("GET", c.base+"/api/v1/files/"+id, nil)
	req.Header.Set("Authorization", "Bearer "+c.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	checkAgainstOpenAPI(c.t, req, nil, resp, raw)
	return resp.StatusCode, resp.Header, raw
}

func fileIDs(v any) []string {
	var ids []string
	list, _ := v.([]any)
	for _, f := range list {
		ids = append(ids, f.(map[string]any)["id"].(string))
	}
	return ids
}

// TestUnitsAttachFilesToTheirCasesAndTheAuditNamesATamperedOne: the unit handling a case
// attaches an approval (PDF); posted again it is the same file; the case lists it, its
// timeline records its SHA-256, the member department downloads the same bytes; another
// unit cannot reach it; an .exe, a 21 MB file and a body that is not multipart are refused
// with nothing stored; bytes altered in the database are named by the verification and no
// longer served. A sensitive case's file is for those handling it, each download recorded.
func TestUnitsAttachFilesToTheirCasesAndTheAuditNamesATamperedOne(t *testing.T) {
	env := start(t, dataDir(t))
	t.Cleanup(env.Close)
	member, party, gov := login(t, env.URL, "member"), login(t, env.URL, "party"), login(t, env.URL, "gov")
	natres, power := login(t, env.URL, "unit-natural-resources"), login(t, env.URL, "unit-power-supply")
	eff := login(t, env.URL, "efficiency")
	handled := func(sensitive bool) string {
		id := member.must(http.StatusCreated, "POST", "/api/v1/cases", map[string]any{"enterprise_id": "ent-001",
			"title": "二期用地报批慢", "description": "用地报批三个月未办结", "category": "land", "list": "problem",
			"sensitive": sensitive}).str("id")
		member.action(http.StatusOK, id, "triage", map[string]any{"decision": "refer", "category": "land", "scope": "individual",
			"list": "problem", "office": "party", "lead_unit": "natural-resources", "co_units": []string{},
			"override_reason": "由市委督查室督办（测试）"})
		party.action(http.StatusOK, id, "refer", map[string]any{"instructions": "请尽快办理"})
		natres.action(http.StatusOK, id, "sign", nil)
		return id
	}
	id := handled(false)
	path := "/api/v1/cases/" + id + "/files"

	r := natres.upload(path, "file", "用地批复.pdf", aPDF)
	sum := sha256.Sum256(aPDF)
	if r.Status != http.StatusCreated || r.str("content_type") != "application/pdf" || r.str("sha256") != hex.EncodeToString(sum[:]) ||
		r.str("name") != "用地批复.pdf" || r.Body["size"] != float64(len(aPDF)) || r.str("uploaded_by") != "unit-natural-resources" {
		t.Fatalf("upload: %d %s", r.Status, r.Raw)
	}
	fileID := r.str("id")
	// Posted again (a form re-sent after a timeout): the same file, nothing new.
	if again := natres.upload(path, "file", "用地批复.pdf", aPDF); again.Status != http.StatusOK || again.str("id") != fileID {
		t.Errorf("the same upload again: %d %s", again.Status, again.Raw)
	}
	c := member.must(http.StatusOK, "GET", "/api/v1/cases/"+id, nil)
	if ids := fileIDs(c.Body["files"]); len(ids) != 1 || ids[0] != fileID {
		t.Fatalf("the case's files: %s", c.Raw)
	}
	var events []timelineEvent
	decode(t, member.must(http.StatusOK, "GET", "/api/v1/cases/"+id+"/timeline", nil).Raw, &struct {
		Events *[]timelineEvent `json:"events"`
	}{&events})
	added := 0
	for _, e := range events {
		if e.Type == "file_added" {
			added++
			if e.Data["file_id"] != fileID || e.Data["sha256"] != hex.EncodeToString(sum[:]) || e.Actor.Username != "unit-natural-resources" {
				t.Errorf("file_added: %+v", e)
			}
		}
	}
	if added != 1 {
		t.Errorf("%d file_added events, want 1", added)
	}
	status, h, got := member.download(fileID)
	if status != http.StatusOK || !bytes.Equal(got, aPDF) || h.Get("Content-Type") != "application/pdf" ||
		!strings.HasPrefix(h.Get("Content-Disposition"), "attachment") || h.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("download: %d %v %q", status, h, got)
	}

	// Another unit reaches neither the case's files nor the case.
	if status, _, _ := power.download(fileID); status != http.StatusNotFound {
		t.Errorf("another unit downloads the file: %d", status)
	}
	if r := power.upload(path, "file", "x.pdf", aPDF); r.Status != http.StatusNotFound {
		t.Errorf("another unit attaches a file: %d %s", r.Status, r.Raw)
	}
	if r := eff.upload(path, "file", "x.pdf", aPDF); r.Status != http.StatusForbidden {
		t.Errorf("the efficiency office attaches a file: %d %s", r.Status, r.Raw)
	}
	if status, _, _ := natres.download("FL-AAAAAAAAAAAAAAAAAAAAAAAAAA"); status != http.StatusNotFound {
		t.Errorf("an unknown file: %d", status)
	}
	// Refused uploads store nothing.
	big := append(bytes.Clone(aPDF), bytes.Repeat([]byte{' '}, 21<<20)...)
	for name, tc := range map[string]struct {
		r    response
		want int
	}{
		"an .exe":                            {natres.upload(path, "file", "setup.exe", anEXE), http.StatusUnsupportedMediaType},
		"an .exe called .pdf":                {natres.upload(path, "file", "批复.pdf", anEXE), http.StatusUnsupportedMediaType},
		"a 21 MB file":                       {natres.upload(path, "file", "big.pdf", big), http.StatusRequestEntityTooLarge},
		"an empty file":                      {natres.upload(path, "file", "empty.pdf", nil), http.StatusUnprocessableEntity},
		"no part named file":                 {natres.upload(path, "attachment", "x.pdf", aPDF), http.StatusBadRequest},
		"a name reversed by a bidi override": {natres.upload(path, "file", "批复\u202efdp.exe", aPDF), http.StatusUnprocessableEntity},
		"JSON, not multipart":                {natres.do("POST", path, map[string]any{"file": "JVBERi0="}, nil), http.StatusUnsupportedMediaType},
		"a case that is missing":             {natres.upload("/api/v1/cases/PT-2026-999999/files", "file", "x.pdf", aPDF), http.StatusNotFound},
	} {
		if tc.r.Status != tc.want || tc.r.errCode() == "" {
			t.Errorf("%s: %d %s, want %d", name, tc.r.Status, tc.r.Raw, tc.want)
		}
	}
	db, err := pgx.Connect(context.Background(), env.DatabaseURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close(context.Background())
	var files, blobs int
	if err := db.QueryRow(context.Background(), `SELECT (SELECT count(*) FROM files), (SELECT count(*) FROM file_blobs)`).Scan(&files, &blobs); err != nil {
		t.Fatal(err)
	}
	if files != 1 || blobs != 1 {
		t.Errorf("after the refusals: %d files and %d blobs stored, want 1 and 1", files, blobs)
	}

	// The bytes altered behind caseflow's back: the verification names the file, and the
	// download stops.
	if v := eff.must(http.StatusOK, "GET", "/api/v1/audit/cases/"+id+"/verify", nil); v.Body["ok"] != true {
		t.Fatalf("verify before tampering: %s", v.Raw)
	}
	if _, err := db.Exec(context.Background(), `UPDATE file_blobs SET data = $2 WHERE id = $1`, fileID, append(bytes.Clone(aPDF), '!')); err != nil {
		t.Fatal(err)
	}
	v := eff.must(http.StatusOK, "GET", "/api/v1/audit/cases/"+id+"/verify", nil)
	if v.Body["ok"] != false || !strings.Contains(v.str("reason"), fileID) {
		t.Errorf("verify after tampering: %s", v.Raw)
	}
	year := time.Now().In(domain.Shanghai).Format("2006")
	if v := eff.must(http.StatusOK, "GET", "/api/v1/audit/verify?period="+year, nil); v.Body["ok"] != false || !strings.Contains(string(v.Raw), fileID) {
		t.Errorf("the year's verification after tampering: %s", v.Raw)
	}
	if status, _, _ := member.download(fileID); status != http.StatusConflict {
		t.Errorf("a tampered file is served: %d", status)
	}

	// A sensitive case's file: the other office sees it listed, cannot download it; the
	// lead office downloads it, and the read is recorded.
	secret := handled(true)
	r = natres.upload("/api/v1/cases/"+secret+"/files", "file", "现场照片.png", aPNG)
	if r.Status != http.StatusCreated || r.str("content_type") != "image/png" {
		t.Fatalf("upload a photo: %d %s", r.Status, r.Raw)
	}
	photo := r.str("id")
	if ids := fileIDs(gov.must(http.StatusOK, "GET", "/api/v1/cases/"+secret, nil).Body["files"]); len(ids) != 1 {
		t.Errorf("the other office does not see the file listed: %v", ids)
	}
	if status, _, _ := gov.download(photo); status != http.StatusForbidden {
		t.Errorf("the other office downloads a sensitive case's file: %d", status)
	}
	before := len(eff.must(http.StatusOK, "GET", "/api/v1/cases/"+secret+"/sensitive-reads", nil).Body["reads"].([]any))
	status, h, got = party.download(photo)
	if status != http.StatusOK || !bytes.Equal(got, aPNG) || !strings.HasPrefix(h.Get("Content-Disposition"), "inline") {
		t.Errorf("the lead office downloads the photo: %d %v", status, h)
	}
	reads := eff.must(http.StatusOK, "GET", "/api/v1/cases/"+secret+"/sensitive-reads", nil)
	if len(reads.Body["reads"].([]any)) <= before || !containsReader(reads, "party") {
		t.Errorf("the download is not recorded as a sensitive read: %s", reads.Raw)
	}
	// A closed case takes no more files.
	natres.action(http.StatusOK, id, "complete", map[string]any{"outcome": "resolved", "report": "已批复"})
	member.action(http.StatusOK, id, "callback", map[string]any{"solved": true, "satisfied": true, "note": "满意"})
	party.action(http.StatusOK, id, "close", map[string]any{"note": "办结"})
	if r := member.upload(path, "file", "补充.pdf", aPDF); r.Status != http.StatusConflict {
		t.Errorf("a file attached to a closed case: %d %s", r.Status, r.Raw)
	}
}

// TestLeadersAttachFilesToTheirVisitsAndSubmissions: a leader attaches notes to a visit
// they took part in and a document to their own quarterly submission; the other leader
// reaches neither, nor attaches to another's submission (403); the member department reads
// both, the supervision office not the submission's.
func TestLeadersAttachFilesToTheirVisitsAndSubmissions(t *testing.T) {
	env := start(t, dataDir(t))
	t.Cleanup(env.Close)
	member, party := login(t, env.URL, "member"), login(t, env.URL, "party")
	leader1, leader2 := login(t, env.URL, "leader1"), login(t, env.URL, "leader2")
	today := time.Now().In(domain.Shanghai).Format(domain.DateLayout)
	visit := member.must(http.StatusCreated, "POST", "/api/v1/visits", map[string]any{"date": today, "leaders": []string{"leader1"},
		"enterprise_ids": []string{"ent-001"}, "method": "onsite", "topics": []string{"policy"}, "notes": "走访"}).str("id")

	r := leader1.upload("/api/v1/visits/"+visit+"/files", "file", "走访记录.pdf", aPDF)
	if r.Status != http.StatusCreated {
		t.Fatalf("a leader attaches notes to their visit: %d %s", r.Status, r.Raw)
	}
	notes := r.str("id")
	if ids := fileIDs(member.must(http.StatusOK, "GET", "/api/v1/visits/"+visit, nil).Body["files"]); len(ids) != 1 || ids[0] != notes {
		t.Errorf("the visit's files: %v", ids)
	}
	if r := leader2.upload("/api/v1/visits/"+visit+"/files", "file", "x.pdf", aPDF); r.Status != http.StatusNotFound {
		t.Errorf("another leader attaches to the visit: %d %s", r.Status, r.Raw)
	}
	if status, _, _ := leader2.download(notes); status != http.StatusNotFound {
		t.Errorf("another leader downloads the visit's notes: %d", status)
	}
	if status, _, got := member.download(notes); status != http.StatusOK || !bytes.Equal(got, aPDF) {
		t.Errorf("the member department downloads the visit's notes: %d", status)
	}

	// The console: the visit's page lists its files and takes another from its leader.
	page := newPerson(t, env.URL).signIn("leader1").open("/visits/" + visit)
	page.sees("走访记录.pdf", "上传附件")
	page.upload("/visits/"+visit+"/files", "现场照片.png", aPNG, true)
	page.sees("已上传附件：现场照片.png", ">现场照片.png</a>")
	if other := newPerson(t, env.URL).signIn("leader2").open("/visits/" + visit); other.status != http.StatusNotFound {
		t.Errorf("another leader opens the visit's page: %d", other.status)
	}

	q := domain.QuarterOf(time.Now()).String()
	doc := aDOCX(t)
	r = leader1.upload("/api/v1/reports/quarterly/"+q+"/submissions/leader1/files", "file", "调研报告.docx", doc)
	if r.Status != http.StatusCreated || r.str("content_type") != "application/vnd.openxmlformats-officedocument.wordprocessingml.document" {
		t.Fatalf("a leader attaches a document to their submission: %d %s", r.Status, r.Raw)
	}
	report := r.str("id")
	if r := leader2.upload("/api/v1/reports/quarterly/"+q+"/submissions/leader1/files", "file", "x.docx", doc); r.Status != http.StatusForbidden {
		t.Errorf("a leader attaches to another's submission: %d %s", r.Status, r.Raw)
	}
	if r := member.upload("/api/v1/reports/quarterly/"+q+"/submissions/leader1/files", "file", "x.docx", doc); r.Status != http.StatusForbidden {
		t.Errorf("the member department attaches to a leader's submission: %d %s", r.Status, r.Raw)
	}
	member.must(http.StatusAccepted, "POST", "/api/v1/reports/quarterly/"+q+"/run", nil)
	submissionFiles := func(c *apiClient) []string {
		for _, s := range c.must(http.StatusOK, "GET", "/api/v1/reports/quarterly/"+q, nil).Body["submissions"].([]any) {
			if m := s.(map[string]any); m["leader"] == "leader1" {
				return fileIDs(m["files"])
			}
		}
		return nil
	}
	if ids := submissionFiles(member); len(ids) != 1 || ids[0] != report {
		t.Errorf("the member department's report lists %v", ids)
	}
	if ids := submissionFiles(party); len(ids) != 0 {
		t.Errorf("the supervision office's report lists %v", ids)
	}
	for who, want := range map[*apiClient]int{member: http.StatusOK, leader1: http.StatusOK, leader2: http.StatusNotFound, party: http.StatusNotFound} {
		if status, _, _ := who.download(report); status != want {
			t.Errorf("%s downloads the submission's document: %d, want %d", who.token[:4], status, want)
		}
	}
}
