package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/vn-opendata/geodata/store"
	"github.com/vn-opendata/geodata/store/storetest"
)

// catalogueDB is the package's test database with two agencies and a collection.
func catalogueDB(t *testing.T) *store.DB {
	t.Helper()
	ctx := context.Background()
	db := storetest.Open(t)
	err := db.SyncAgencies(ctx, []store.Agency{
		{ID: "so-test-a", Name: "Sở Thử A", Kind: "department", ValidTo: "2025-02-28", SuccessorID: "so-test-b", Change: "merge"},
		{ID: "so-test-b", Name: "Sở Thử B", Kind: "department"},
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = db.Pool.Exec(ctx, `INSERT INTO collections (id, title, agency_id) VALUES ('store-fb', 'Trường học', 'so-test-a')
		ON CONFLICT (id) DO NOTHING`)
	if err != nil {
		t.Fatal(err)
	}
	return db
}

// Agencies keep how they ended through a sync round trip.
func TestAgencyChangeRoundTrip(t *testing.T) {
	db := catalogueDB(t)
	list, err := db.Agencies(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, a := range list {
		if a.ID == "so-test-a" {
			found = true
			if a.Change != "merge" || a.SuccessorID != "so-test-b" || a.ValidTo != "2025-02-28" {
				t.Errorf("so-test-a read back as %+v", a)
			}
		}
	}
	if !found {
		t.Fatal("so-test-a not stored")
	}
}

// The vocabularies hold the EU frequency codes with their staleness limits.
func TestVocabularies(t *testing.T) {
	v, err := catalogueDB(t).Vocabularies(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if f := v.Frequencies["MONTHLY"]; f.MaxDays != 32 || f.NameVi != "Hằng tháng" {
		t.Errorf("MONTHLY = %+v", f)
	}
	if f := v.Frequencies["IRREG"]; f.MaxDays != 0 {
		t.Errorf("IRREG = %+v", f)
	}
	if th := v.Themes["TRAN"]; th.URI != "http://publications.europa.eu/resource/authority/data-theme/TRAN" {
		t.Errorf("TRAN = %+v", th)
	}
	if l := v.Licenses["https://creativecommons.org/licenses/by/4.0/"]; !l.Open || l.Code != "CC-BY-4.0" {
		t.Errorf("CC BY = %+v", l)
	}
}

// Usage counts add up across flushes and sum over a range of days.
func TestUsageAddsUp(t *testing.T) {
	ctx := context.Background()
	db := catalogueDB(t)
	d1 := time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC)
	d2 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < 2; i++ {
		err := db.AddUsage(ctx, []store.UsageCount{
			{Collection: "usage-test", Day: d1, Kind: store.UsageItems, Count: 5},
			{Collection: "usage-test", Day: d2, Kind: store.UsageItems, Count: 1},
			{Collection: "usage-test", Day: d2, Kind: store.UsageDownload, Count: 2},
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	all, err := db.UsageSums(ctx, time.Time{}, d2)
	if err != nil {
		t.Fatal(err)
	}
	if got := all["usage-test"]; got[store.UsageItems] != 12 || got[store.UsageDownload] != 4 {
		t.Errorf("all days: %v", got)
	}
	y2025, err := db.UsageSums(ctx, time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), d1)
	if err != nil {
		t.Fatal(err)
	}
	if got := y2025["usage-test"]; got[store.UsageItems] != 10 || got[store.UsageDownload] != 0 {
		t.Errorf("2025: %v", got)
	}
	err = db.AddUsage(ctx, []store.UsageCount{{Collection: "usage-test", Day: d1, Kind: "bogus", Count: 1}})
	if err == nil {
		t.Error("unknown usage kind accepted")
	}
}

// A token acts until revoked or expired; its secret is not stored.
func TestTokens(t *testing.T) {
	ctx := context.Background()
	db := catalogueDB(t)
	secret, tok, err := db.CreateToken(ctx, "so-test-b", false, "thử", time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	got, err := db.LookupToken(ctx, secret)
	if err != nil || got.ID != tok.ID || got.AgencyID != "so-test-b" || got.Admin {
		t.Fatalf("lookup: %+v %v", got, err)
	}
	var stored int
	if err := db.Pool.QueryRow(ctx, "SELECT count(*) FROM api_tokens WHERE position($1::bytea in hash) > 0", []byte(secret)).Scan(&stored); err != nil || stored != 0 {
		t.Errorf("secret found in the table (%d, %v)", stored, err)
	}
	if _, err := db.LookupToken(ctx, secret+"x"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("wrong secret: %v", err)
	}
	if err := db.RevokeToken(ctx, tok.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := db.LookupToken(ctx, secret); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("revoked token: %v", err)
	}
	old, _, err := db.CreateToken(ctx, "so-test-b", false, "", time.Now().Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.LookupToken(ctx, old); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("expired token: %v", err)
	}
	if _, _, err := db.CreateToken(ctx, "", false, "", time.Time{}); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("token with neither agency nor admin: %v", err)
	}
	if _, _, err := db.CreateToken(ctx, "so-nowhere", false, "", time.Time{}); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("token of an unknown agency: %v", err)
	}
}

// Feedback is stored, listed by the publishing agency (also after a merger, by
// the caller passing predecessors), answered, and requests take one vote per client.
func TestFeedbackLifecycle(t *testing.T) {
	ctx := context.Background()
	db := catalogueDB(t)
	f, err := db.CreateFeedback(ctx, store.NewFeedback{Kind: store.FeedbackFeature, Collection: "store-fb", FeatureID: "BG-1",
		Message: "Trường này đã chuyển địa điểm.", Contact: "an@example.org"})
	if err != nil {
		t.Fatal(err)
	}
	if f.Status != store.FeedbackOpen || f.CollectionAgency != "so-test-a" || f.Contact != "an@example.org" {
		t.Errorf("created %+v", f)
	}
	if _, err := db.CreateFeedback(ctx, store.NewFeedback{Kind: store.FeedbackDataset, Collection: "nowhere", Message: "x"}); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("unknown collection: %v", err)
	}
	if _, err := db.CreateFeedback(ctx, store.NewFeedback{Kind: store.FeedbackDataset, Collection: "store-fb", Message: ""}); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("empty message: %v", err)
	}
	req, err := db.CreateFeedback(ctx, store.NewFeedback{Kind: store.FeedbackRequest, Title: "Nhà thuốc", Message: "Xin công bố vị trí nhà thuốc.", AgencyID: "so-test-b"})
	if err != nil {
		t.Fatal(err)
	}
	list, total, err := db.ListFeedback(ctx, store.FeedbackQuery{Agencies: []string{"so-test-b", "so-test-a"}})
	if err != nil || total < 2 || len(list) != total {
		t.Fatalf("list: %d of %d, %v", len(list), total, err)
	}
	onlyB, _, err := db.ListFeedback(ctx, store.FeedbackQuery{Agencies: []string{"so-test-b"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range onlyB {
		if x.ID == f.ID {
			t.Error("feedback on so-test-a's collection listed for so-test-b alone")
		}
	}
	for i, client := range []string{"10.0.0.1", "10.0.0.1", "10.0.0.2"} {
		votes, added, err := db.VoteFeedback(ctx, req.ID, client)
		if err != nil {
			t.Fatal(err)
		}
		if wantAdded := i != 1; added != wantAdded {
			t.Errorf("vote %d from %s: added %v", i, client, added)
		}
		if want := []int{1, 1, 2}[i]; votes != want {
			t.Errorf("vote %d: %d votes, want %d", i, votes, want)
		}
	}
	if _, _, err := db.VoteFeedback(ctx, f.ID, "10.0.0.1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("vote on feedback that is no request: %v", err)
	}
	ans, err := db.AnswerFeedback(ctx, f.ID, "Đã cập nhật vị trí mới.", store.FeedbackAnswered, 0)
	if err != nil {
		t.Fatal(err)
	}
	if ans.Status != store.FeedbackAnswered || ans.Answer == "" || ans.AnsweredAt == nil {
		t.Errorf("answered %+v", ans)
	}
	if _, err := db.AnswerFeedback(ctx, f.ID, "", "pending", 0); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("bad status: %v", err)
	}
	if _, err := db.AnswerFeedback(ctx, 1<<40, "x", store.FeedbackClosed, 0); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown id: %v", err)
	}
	answered, _, err := db.ListFeedback(ctx, store.FeedbackQuery{Status: store.FeedbackAnswered, Since: time.Now().Add(-time.Hour)})
	if err != nil || len(answered) != 1 || answered[0].ID != f.ID {
		t.Errorf("answered in the last hour: %v %v", answered, err)
	}
}
