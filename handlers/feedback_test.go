package handlers_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/vn-opendata/geodata/handlers"
)

// agenciesDoc is the part of /agencies the tests read.
type agenciesDoc struct {
	Coverage []struct {
		Year    int
		AsOf    string `json:"as_of"`
		Final   bool
		Total   int
		Open    int
		Percent float64
		Met     *bool
		Ended   []struct {
			Agency    struct{ ID string }
			Successor string
		}
	}
	Agencies []struct {
		ID       string
		Active   bool
		Datasets []struct{ ID string }
	}
	Stale []struct {
		ID      string
		Overdue int `json:"overdue_days"`
	}
}

// The coverage of the sample data, computed by hand from the region profile:
// every sample dataset was first provided on 30 June 2023 by the Departments of
// Education, of Information and Communications, or of Transport. On 31 December
// 2023 and 2024, 21 agencies existed (11 departments, 10 district committees):
// 3 of 21 = 14.3 %. On 31 December 2025 the six departments of the new Bắc Ninh
// province existed; the datasets had passed to three of them: 3 of 6 = 50 %.
func TestAgenciesCoverage(t *testing.T) {
	e := sampleEnv(t)
	var doc agenciesDoc
	if resp := get(t, e.URL+"/agencies", &doc); resp.StatusCode != http.StatusOK {
		t.Fatalf("agencies: %d", resp.StatusCode)
	}
	want := map[int][3]int{2023: {21, 3, 143}, 2024: {21, 3, 143}, 2025: {6, 3, 500}}
	seen := 0
	for _, c := range doc.Coverage {
		w, ok := want[c.Year]
		if !ok {
			continue
		}
		seen++
		if c.Total != w[0] || c.Open != w[1] || int(c.Percent*10+0.5) != w[2] || !c.Final || c.Met == nil || *c.Met {
			t.Errorf("%d: %d of %d = %v %% (met %v), want %d of %d", c.Year, c.Open, c.Total, c.Percent, c.Met, w[1], w[0])
		}
		if c.AsOf != fmt.Sprintf("%d-12-31", c.Year) {
			t.Errorf("%d measured on %s", c.Year, c.AsOf)
		}
		if c.Year == 2025 {
			ended := map[string]string{}
			for _, x := range c.Ended {
				ended[x.Agency.ID] = x.Successor
			}
			if ended["so-tttt"] != "bn-so-khcn" || ended["so-gtvt"] != "bn-so-xd" || ended["so-gddt"] != "bn-so-gddt" {
				t.Errorf("2025 ended agencies %v", ended)
			}
		}
	}
	if seen != 3 {
		t.Errorf("coverage years %+v", doc.Coverage)
	}
	datasets := map[string]int{}
	for _, a := range doc.Agencies {
		datasets[a.ID] = len(a.Datasets)
		if a.ID == "so-tttt" && a.Active {
			t.Error("so-tttt still active")
		}
	}
	if datasets["bn-so-xd"] != 6 || datasets["bn-so-khcn"] != 2 || datasets["bn-so-gddt"] != 1 || datasets["so-gtvt"] != 0 {
		t.Errorf("datasets per agency %v", datasets)
	}
	var er struct{ Parameter string }
	if resp := get(t, e.URL+"/agencies?year=2025", &er); resp.StatusCode != http.StatusBadRequest || er.Parameter != "year" {
		t.Errorf("unknown parameter: %d %q", resp.StatusCode, er.Parameter)
	}
	var one struct{ ID, Name string }
	if resp := get(t, e.URL+"/agencies/bn-so-gddt", &one); resp.StatusCode != http.StatusOK || one.Name != "Sở Giáo dục và Đào tạo tỉnh Bắc Ninh" {
		t.Errorf("one agency: %d %+v", resp.StatusCode, one)
	}
	if resp, _ := do(t, http.MethodGet, e.URL+"/agencies/so-nowhere", nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown agency: %d", resp.StatusCode)
	}
}

// postJSON posts v as JSON.
func postJSON(t *testing.T, url string, v any, header ...string) (*http.Response, []byte) {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return do(t, http.MethodPost, url, strings.NewReader(string(b)), append([]string{"Content-Type", "application/json"}, header...)...)
}

type feedbackDoc struct {
	ID         int64
	Kind       string
	Collection string
	Feature    string
	Message    string
	Contact    string
	Status     string
	Answer     string
	Votes      int
	AgencyName string `json:"agency_name"`
}

// Citizens send feedback without an account (JSON or a form); bad input is a
// 400 naming the field; the public never sees contacts; the responsible agency
// answers with its token, others cannot; requests take one vote per client.
func TestFeedbackFlow(t *testing.T) {
	e := sampleEnv(t)
	ctx := context.Background()
	snap, _ := e.Cat.Snapshot("schools")
	featureID := snap.Features[7].ID
	resp, body := postJSON(t, e.URL+"/feedback", map[string]string{"collection": "schools", "feature": featureID,
		"message": "Trường này đã chuyển sang địa điểm mới ở xã Tân Mỹ.", "contact": "an@example.org"})
	var created feedbackDoc
	if err := json.Unmarshal(body, &created); err != nil || resp.StatusCode != http.StatusCreated || resp.Header.Get("Location") == "" {
		t.Fatalf("create: %d %s", resp.StatusCode, body)
	}
	if created.Kind != "feature" || created.Contact != "" || created.AgencyName != "Sở Giáo dục và Đào tạo tỉnh Bắc Ninh" {
		t.Errorf("created %+v", created)
	}
	form := url.Values{"kind": {"request"}, "title": {"Vị trí nhà thuốc"}, "message": {"Đề nghị công bố vị trí các nhà thuốc."}, "agency": {"bn-so-khcn"}}
	resp, _ = do(t, http.MethodPost, e.URL+"/feedback", strings.NewReader(form.Encode()), "Content-Type", "application/x-www-form-urlencoded")
	if resp.StatusCode != http.StatusSeeOther || !strings.Contains(resp.Header.Get("Location"), "sent=1") {
		t.Fatalf("form: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	var reqID int64
	fmt.Sscanf(strings.TrimPrefix(resp.Header.Get("Location"), "/feedback/"), "%d", &reqID)

	bad := []struct {
		body  map[string]string
		param string
	}{
		{map[string]string{"collection": "schools", "message": "  "}, "message"},
		{map[string]string{"collection": "nowhere", "message": "x"}, "collection"},
		{map[string]string{"collection": "schools", "feature": "BG-NOPE", "message": "x"}, "feature"},
		{map[string]string{"kind": "praise", "message": "x"}, "kind"},
		{map[string]string{"kind": "request", "agency": "so-nowhere", "message": "x"}, "agency"},
		{map[string]string{"collection": "schools", "message": strings.Repeat("ư", 4001)}, "message"},
	}
	for _, b := range bad {
		resp, body := postJSON(t, e.URL+"/feedback", b.body)
		var er struct{ Parameter string }
		json.Unmarshal(body, &er)
		if resp.StatusCode != http.StatusBadRequest || er.Parameter != b.param {
			t.Errorf("%v: %d naming %q, want 400 naming %q", b.body, resp.StatusCode, er.Parameter, b.param)
		}
	}
	resp, _ = postJSON(t, e.URL+"/feedback", map[string]string{"message": strings.Repeat("a", 20000)})
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("20 kB body: %d, want 413", resp.StatusCode)
	}
	resp, _ = do(t, http.MethodPost, e.URL+"/feedback", strings.NewReader("message=x"), "Content-Type", "text/plain")
	if resp.StatusCode != http.StatusUnsupportedMediaType {
		t.Errorf("text/plain body: %d, want 415", resp.StatusCode)
	}

	// Votes: once per client.
	for i, want := range []bool{true, false} {
		var v struct {
			Votes   int
			Counted bool
		}
		resp, body := do(t, http.MethodPost, fmt.Sprintf("%s/feedback/%d/votes", e.URL, reqID), nil)
		json.Unmarshal(body, &v)
		if resp.StatusCode != http.StatusOK || v.Counted != want || v.Votes != 1 {
			t.Errorf("vote %d: %d %+v", i, resp.StatusCode, v)
		}
	}
	if resp, _ := do(t, http.MethodPost, fmt.Sprintf("%s/feedback/%d/votes", e.URL, created.ID), nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("vote on a feature feedback: %d, want 404", resp.StatusCode)
	}

	// Answers: the token decides.
	answerURL := fmt.Sprintf("%s/feedback/%d/answer", e.URL, created.ID)
	answer := map[string]string{"answer": "Đã cập nhật vị trí mới. Cảm ơn bạn!"}
	if resp, _ := postJSON(t, answerURL, answer); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("no token: %d, want 401", resp.StatusCode)
	}
	if resp, _ := postJSON(t, answerURL, answer, "Authorization", "Bearer gdt_wrong"); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("unknown token: %d, want 401", resp.StatusCode)
	}
	for _, other := range []string{"bn-so-xd", "so-gddt"} { // another agency; the predecessor, no longer answering
		secret, _, err := e.DB.CreateToken(ctx, other, false, "test", time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		if resp, _ := postJSON(t, answerURL, answer, "Authorization", "Bearer "+secret); resp.StatusCode != http.StatusForbidden {
			t.Errorf("token of %s: %d, want 403", other, resp.StatusCode)
		}
	}
	secret, _, err := e.DB.CreateToken(ctx, "bn-so-gddt", false, "test", time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	auth := []string{"Authorization", "Bearer " + secret}
	if resp, _ := postJSON(t, answerURL, map[string]string{"status": "answered"}, auth...); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("answered without an answer: %d", resp.StatusCode)
	}
	resp, body = postJSON(t, answerURL, answer, auth...)
	var answered feedbackDoc
	json.Unmarshal(body, &answered)
	if resp.StatusCode != http.StatusOK || answered.Status != "answered" || answered.Contact != "an@example.org" {
		t.Fatalf("answer: %d %s", resp.StatusCode, body)
	}

	// The agency's list holds its feedback with contacts; the public list the answer without.
	var mine struct{ Feedback []feedbackDoc }
	get(t, e.URL+"/feedback?f=json", &mine, auth...)
	found := false
	for _, f := range mine.Feedback {
		if f.ID == reqID {
			t.Error("the request to bn-so-khcn is in bn-so-gddt's list")
		}
		if f.ID == created.ID {
			found = f.Contact == "an@example.org"
		}
	}
	if !found {
		t.Error("the agency's list lacks its feedback with the contact")
	}
	var public struct{ Feedback []feedbackDoc }
	get(t, e.URL+"/feedback?f=json&collection=schools&status=answered", &public)
	found = false
	for _, f := range public.Feedback {
		if f.Contact != "" {
			t.Errorf("public list shows a contact: %+v", f)
		}
		found = found || (f.ID == created.ID && f.Answer == answer["answer"])
	}
	if !found {
		t.Error("the public list lacks the answer")
	}
	var er struct{ Parameter string }
	if resp := get(t, e.URL+"/feedback?f=json&status=pending", &er); resp.StatusCode != http.StatusBadRequest || er.Parameter != "status" {
		t.Errorf("bad status filter: %d %q", resp.StatusCode, er.Parameter)
	}
}

// A client that sends too much is told to wait (429, Retry-After); another
// client is not affected.
func TestFeedbackRateLimit(t *testing.T) {
	e := sampleEnv(t)
	srv, err := handlers.New(e.Cat, handlers.Config{Catalogue: handlers.CatalogueConfig{DownloadDir: t.TempDir(),
		FeedbackBurst: 2, FeedbackEvery: time.Hour, TrustProxy: true}}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	send := func(client string) *http.Response {
		resp, _ := postJSON(t, ts.URL+"/feedback", map[string]string{"collection": "schools", "message": "Góp ý thử"},
			"X-Forwarded-For", "203.0.113.9, "+client)
		return resp
	}
	for i := 0; i < 2; i++ {
		if resp := send("198.51.100.1"); resp.StatusCode != http.StatusCreated {
			t.Fatalf("message %d: %d", i, resp.StatusCode)
		}
	}
	resp := send("198.51.100.1")
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" {
		t.Errorf("third message: %d Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	if resp := send("198.51.100.2"); resp.StatusCode != http.StatusCreated {
		t.Errorf("another client: %d", resp.StatusCode)
	}
}
