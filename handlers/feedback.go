package handlers

import (
	"encoding/json"
	"errors"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gorilla/mux"
	"golang.org/x/text/unicode/norm"

	"github.com/vn-opendata/geodata/store"
)

// Limits of a citizen's message.
const (
	maxFeedbackBody    = 16 << 10 // bytes of a request body
	maxFeedbackMessage = 4000     // characters, as the database checks
	maxFeedbackField   = 200      // characters of title, contact and feature id
)

// feedbackInput is what a citizen sends, as JSON or as a form.
type feedbackInput struct {
	Kind       string `json:"kind"`
	Collection string `json:"collection"`
	Feature    string `json:"feature"`
	Title      string `json:"title"`
	Message    string `json:"message"`
	Contact    string `json:"contact"`
	Agency     string `json:"agency"`
}

// feedbackDoc is a feedback as shown: the contact only to the agency answering.
type feedbackDoc struct {
	store.Feedback
	AgencyName string `json:"agency_name,omitempty"` // the agency answering it today
	Href       string `json:"href"`
}

// isForm reports whether the request body is a browser form.
func isForm(r *http.Request) bool {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return mt == "application/x-www-form-urlencoded" || mt == "multipart/form-data"
}

// readBody decodes a JSON or form body of at most maxFeedbackBody bytes into v
// (form fields by their JSON names).
func readBody(w http.ResponseWriter, r *http.Request, v any, fields ...string) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxFeedbackBody)
	var tooBig *http.MaxBytesError
	if isForm(r) {
		err := r.ParseMultipartForm(maxFeedbackBody)
		if errors.Is(err, http.ErrNotMultipart) {
			err = r.ParseForm()
		}
		if errors.As(err, &tooBig) {
			return tooLarge()
		}
		if err != nil {
			return badParam("body", "unreadable form: %v", err)
		}
		m := map[string]string{}
		for _, f := range fields {
			m[f] = r.PostForm.Get(f)
		}
		b, _ := json.Marshal(m) // a map of strings always marshals
		return json.Unmarshal(b, v)
	}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "application/json" {
		return &Error{Status: http.StatusUnsupportedMediaType, Code: "UnsupportedMediaType",
			Description: "send application/json or a form (application/x-www-form-urlencoded)"}
	}
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if errors.As(err, &tooBig) {
		return tooLarge()
	}
	if err != nil {
		return badParam("body", "invalid JSON: %v", err)
	}
	return nil
}

func tooLarge() *Error {
	return &Error{Status: http.StatusRequestEntityTooLarge, Code: "PayloadTooLarge",
		Description: "the message is too large (at most 16 kB) / nội dung quá dài"}
}

// cleanText is NFC text without control characters (new lines and tabs kept),
// trimmed.
func cleanText(s string) string {
	s = norm.NFC.String(s)
	s = strings.Map(func(r rune) rune {
		if r == '\n' || r == '\t' || !unicode.IsControl(r) {
			return r
		}
		return -1
	}, s)
	return strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n"))
}

// validate turns the input into a feedback to store, or a 400 naming the field.
func (s *Server) validate(in feedbackInput) (store.NewFeedback, error) {
	n := store.NewFeedback{Kind: strings.TrimSpace(in.Kind), Collection: strings.TrimSpace(in.Collection),
		FeatureID: cleanText(in.Feature), Title: cleanText(in.Title), Message: cleanText(in.Message),
		Contact: cleanText(in.Contact), AgencyID: strings.TrimSpace(in.Agency)}
	if n.Kind == "" {
		switch {
		case n.FeatureID != "":
			n.Kind = store.FeedbackFeature
		case n.Collection != "":
			n.Kind = store.FeedbackDataset
		default:
			n.Kind = store.FeedbackRequest
		}
	}
	for field, v := range map[string]string{"title": n.Title, "contact": n.Contact, "feature": n.FeatureID} {
		if utf8.RuneCountInString(v) > maxFeedbackField {
			return n, badParam(field, "at most %d characters / tối đa %d ký tự", maxFeedbackField, maxFeedbackField)
		}
	}
	if n.Message == "" {
		return n, badParam("message", "the message is empty / vui lòng nhập nội dung góp ý")
	}
	if utf8.RuneCountInString(n.Message) > maxFeedbackMessage {
		return n, badParam("message", "at most %d characters / tối đa %d ký tự", maxFeedbackMessage, maxFeedbackMessage)
	}
	switch n.Kind {
	case store.FeedbackDataset, store.FeedbackFeature:
		snap, ok := s.cat.Snapshot(n.Collection)
		if !ok {
			return n, badParam("collection", "unknown dataset %q / không có tập dữ liệu này", n.Collection)
		}
		if n.Kind == store.FeedbackFeature && snap.Feature(n.FeatureID) == nil {
			return n, badParam("feature", "dataset %s has no feature %q / không có đối tượng này", n.Collection, n.FeatureID)
		}
		if n.Kind == store.FeedbackDataset {
			n.FeatureID = ""
		}
		n.AgencyID = ""
	case store.FeedbackRequest:
		if n.Collection != "" || n.FeatureID != "" {
			return n, badParam("collection", "a request for a new dataset names no existing dataset")
		}
		if n.AgencyID != "" {
			if _, ok := s.cat.Region.AgencyHistory().Get(n.AgencyID); !ok {
				return n, badParam("agency", "unknown agency %q", n.AgencyID)
			}
		}
	default:
		return n, badParam("kind", "%q: use dataset, feature or request", n.Kind)
	}
	return n, nil
}

// feedbackCreate is POST /feedback, from the API (JSON) or a page (form).
func (s *Server) feedbackCreate(w http.ResponseWriter, r *http.Request) error {
	if err := s.limit(w, r); err != nil {
		return err
	}
	var in feedbackInput
	if err := readBody(w, r, &in, "kind", "collection", "feature", "title", "message", "contact", "agency"); err != nil {
		return err
	}
	n, err := s.validate(in)
	if err != nil {
		return err
	}
	f, err := s.db.CreateFeedback(r.Context(), n)
	if errors.Is(err, store.ErrInvalid) {
		return badParam("body", "%v", err)
	}
	if err != nil {
		return s.unavailable(err)
	}
	href := s.baseURL(r) + "/feedback/" + strconv.FormatInt(f.ID, 10)
	if isForm(r) {
		http.Redirect(w, r, "/feedback/"+strconv.FormatInt(f.ID, 10)+"?f=html&sent=1", http.StatusSeeOther)
		return nil
	}
	w.Header().Set("Location", href)
	w.Header().Set("Content-Type", mediaJSON)
	w.WriteHeader(http.StatusCreated)
	return json.NewEncoder(w).Encode(s.feedbackDoc(r, f, false))
}

// responsibleFor is the agency answering feedback today: the one a request is
// addressed to, else the collection's publisher, both after renames and mergers.
func (s *Server) responsibleFor(f store.Feedback) string {
	id := f.AgencyID
	if id == "" {
		id = f.CollectionAgency
	}
	who, ok := s.cat.Region.AgencyHistory().ResponsibleOn(id, today())
	if !ok {
		return ""
	}
	return who
}

func (s *Server) feedbackDoc(r *http.Request, f store.Feedback, withContact bool) feedbackDoc {
	if !withContact {
		f.Contact = ""
	}
	d := feedbackDoc{Feedback: f, Href: s.baseURL(r) + "/feedback/" + strconv.FormatInt(f.ID, 10)}
	if who := s.responsibleFor(f); who != "" {
		d.AgencyName = s.cat.Region.AgencyHistory().Name(who)
	}
	return d
}

// mayAnswer reports whether tok acts for the agency answering f.
func (s *Server) mayAnswer(tok *store.Token, f store.Feedback) bool {
	return tok != nil && (tok.Admin || (tok.AgencyID != "" && s.responsibleFor(f) == tok.AgencyID))
}

// feedbackListView is the feedback page.
type feedbackListView struct {
	Items       []feedbackDoc
	Total       int
	Form        feedbackInput
	Datasets    [][2]string // id, title
	Agencies    [][2]string // id, name (existing today)
	FeatureName string
	Filter      url.Values
}

// feedbackList is GET /feedback: everyone's feedback and the answers, newest
// first (sort=votes: most voted first); with an agency's token, the feedback it
// answers, with the senders' contacts.
func (s *Server) feedbackList(w http.ResponseWriter, r *http.Request) error {
	if err := checkParams(r, "f", "kind", "status", "collection", "feature", "agency", "sort", "limit", "offset", "lang"); err != nil {
		return err
	}
	repr, err := negotiate(r, reprJSON, reprHTML)
	if err != nil {
		return err
	}
	f := repr.F
	tok, err := s.authenticate(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	fq := store.FeedbackQuery{Kind: q.Get("kind"), Status: q.Get("status"), Collection: q.Get("collection"),
		ByVotes: q.Get("sort") == "votes", Limit: 50}
	if err := checkFeedbackQuery(q, &fq); err != nil {
		return err
	}
	if a := q.Get("agency"); a != "" {
		fq.Agencies = s.agencyScope(a)
	}
	if tok != nil && !tok.Admin {
		fq.Agencies = s.agencyScope(tok.AgencyID)
	}
	list, total, err := s.db.ListFeedback(r.Context(), fq)
	if err != nil {
		return s.unavailable(err)
	}
	docs := make([]feedbackDoc, len(list))
	for i, fb := range list {
		docs[i] = s.feedbackDoc(r, fb, s.mayAnswer(tok, fb))
	}
	w.Header().Set("Cache-Control", "no-store")
	if f == "json" {
		return writeJSON(w, mediaJSON, map[string]any{"numberMatched": total, "numberReturned": len(docs), "feedback": docs})
	}
	v := feedbackListView{Items: docs, Total: total, Filter: q,
		Form: feedbackInput{Collection: q.Get("collection"), Feature: q.Get("feature"), Kind: q.Get("kind")}}
	for _, snap := range s.cat.Snapshots() {
		v.Datasets = append(v.Datasets, [2]string{snap.ID(), snap.Collection.Title})
	}
	ag := s.cat.Region.AgencyHistory()
	for _, a := range ag.List() {
		if ag.ExistedOn(a.ID, today()) {
			v.Agencies = append(v.Agencies, [2]string{a.ID, a.Name})
		}
	}
	if snap, ok := s.cat.Snapshot(v.Form.Collection); ok && v.Form.Feature != "" && snap.Feature(v.Form.Feature) != nil {
		v.FeatureName = v.Form.Feature
		if v.Form.Kind == "" {
			v.Form.Kind = store.FeedbackFeature
		}
	}
	return s.render(w, r, "feedback.html", pageData{Title: "Góp ý và đề nghị dữ liệu", Data: v})
}

func checkFeedbackQuery(q url.Values, fq *store.FeedbackQuery) error {
	if k := fq.Kind; k != "" && k != store.FeedbackDataset && k != store.FeedbackFeature && k != store.FeedbackRequest {
		return badParam("kind", "%q: use dataset, feature or request", k)
	}
	if st := fq.Status; st != "" && st != store.FeedbackOpen && st != store.FeedbackAnswered && st != store.FeedbackClosed {
		return badParam("status", "%q: use open, answered or closed", st)
	}
	if so := q.Get("sort"); so != "" && so != "votes" && so != "recent" {
		return badParam("sort", "%q: use votes or recent", so)
	}
	for name, into := range map[string]*int{"limit": &fq.Limit, "offset": &fq.Offset} {
		if v := q.Get(name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 || (name == "limit" && n < 1) {
				return badParam(name, "%q is not a valid number", v)
			}
			*into = n
		}
	}
	fq.Limit = min(fq.Limit, 500)
	return nil
}

// agencyScope is an agency with the agencies whose duties passed to it.
func (s *Server) agencyScope(id string) []string {
	return append([]string{id}, s.cat.Region.AgencyHistory().Predecessors(id)...)
}

// feedbackView is one feedback's page.
type feedbackView struct {
	Item feedbackDoc
	Sent bool
}

func (s *Server) feedbackByID(r *http.Request) (store.Feedback, error) {
	id, err := strconv.ParseInt(mux.Vars(r)["id"], 10, 64)
	if err != nil {
		return store.Feedback{}, notFound("no feedback %q", mux.Vars(r)["id"])
	}
	f, err := s.db.Feedback(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		return f, notFound("feedback %d does not exist / không có góp ý này", id)
	}
	if err != nil {
		return f, s.unavailable(err)
	}
	return f, nil
}

// feedbackItem is GET /feedback/{id}.
func (s *Server) feedbackItem(w http.ResponseWriter, r *http.Request) error {
	if err := checkParams(r, "f", "sent", "lang"); err != nil {
		return err
	}
	repr, err := negotiate(r, reprJSON, reprHTML)
	if err != nil {
		return err
	}
	f := repr.F
	tok, err := s.authenticate(r)
	if err != nil {
		return err
	}
	fb, err := s.feedbackByID(r)
	if err != nil {
		return err
	}
	doc := s.feedbackDoc(r, fb, s.mayAnswer(tok, fb))
	w.Header().Set("Cache-Control", "no-store")
	if f == "html" {
		return s.render(w, r, "feedback_item.html", pageData{Title: "Góp ý số " + strconv.FormatInt(fb.ID, 10),
			Data: feedbackView{Item: doc, Sent: r.URL.Query().Get("sent") != ""}})
	}
	return writeJSON(w, mediaJSON, doc)
}

// feedbackVote is POST /feedback/{id}/votes: one vote per client per request.
func (s *Server) feedbackVote(w http.ResponseWriter, r *http.Request) error {
	if err := s.limit(w, r); err != nil {
		return err
	}
	id, err := strconv.ParseInt(mux.Vars(r)["id"], 10, 64)
	if err != nil {
		return notFound("no request %q", mux.Vars(r)["id"])
	}
	votes, counted, err := s.db.VoteFeedback(r.Context(), id, s.clientAddr(r))
	if errors.Is(err, store.ErrNotFound) {
		return notFound("no request for a new dataset with id %d / không có đề nghị này", id)
	}
	if err != nil {
		return s.unavailable(err)
	}
	if isForm(r) {
		http.Redirect(w, r, "/feedback?f=html&kind=request&sort=votes#fb-"+strconv.FormatInt(id, 10), http.StatusSeeOther)
		return nil
	}
	return writeJSON(w, mediaJSON, map[string]any{"id": id, "votes": votes, "counted": counted})
}

// answerInput is an agency's answer.
type answerInput struct {
	Answer string `json:"answer"`
	Status string `json:"status"`
}

// feedbackAnswer is POST /feedback/{id}/answer with the token of the agency
// answering the feedback (or an admin token).
func (s *Server) feedbackAnswer(w http.ResponseWriter, r *http.Request) error {
	tok, err := s.requireToken(r)
	if err != nil {
		return err
	}
	fb, err := s.feedbackByID(r)
	if err != nil {
		return err
	}
	if !s.mayAnswer(tok, fb) {
		return forbidden("this feedback is for " + answererName(s.cat.Region.AgencyHistory().Name(s.responsibleFor(fb))))
	}
	var in answerInput
	if err := readBody(w, r, &in, "answer", "status"); err != nil {
		return err
	}
	in.Answer = cleanText(in.Answer)
	if in.Status == "" {
		in.Status = store.FeedbackAnswered
	}
	switch {
	case in.Status != store.FeedbackOpen && in.Status != store.FeedbackAnswered && in.Status != store.FeedbackClosed:
		return badParam("status", "%q: use open, answered or closed", in.Status)
	case in.Status == store.FeedbackAnswered && in.Answer == "":
		return badParam("answer", "an answered feedback needs the answer / vui lòng nhập nội dung trả lời")
	case utf8.RuneCountInString(in.Answer) > maxFeedbackMessage:
		return badParam("answer", "at most %d characters", maxFeedbackMessage)
	}
	updated, err := s.db.AnswerFeedback(r.Context(), fb.ID, in.Answer, in.Status, tok.ID)
	if err != nil {
		return s.unavailable(err)
	}
	s.log.Info("feedback answered", "id", fb.ID, "status", in.Status, "token", tok.ID, "agency", tok.AgencyID)
	return writeJSON(w, mediaJSON, s.feedbackDoc(r, updated, true))
}

// answererName names who answers feedback: its agency, or the coordinator.
func answererName(name string) string {
	if name == "" {
		return "the open-data coordinator (admin token)"
	}
	return name
}

// feedbackInbox is the page where an agency, with its token, reads and answers
// the feedback it is responsible for; the page's script calls the API.
func (s *Server) feedbackInbox(w http.ResponseWriter, r *http.Request) error {
	if err := checkParams(r, "f", "lang"); err != nil {
		return err
	}
	return s.render(w, r, "feedback_inbox.html", pageData{Title: "Hộp thư góp ý của đơn vị", Scripts: []string{"inbox.js"}})
}
