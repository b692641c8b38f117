package handlers

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
)

// Error is an HTTP error with a machine code, a description for people, and
// the parameter at fault when there is one.
type Error struct {
	Status      int    `json:"status"`
	Code        string `json:"code"`
	Description string `json:"description"`
	Parameter   string `json:"parameter,omitempty"`
}

func (e *Error) Error() string { return fmt.Sprintf("%d %s: %s", e.Status, e.Code, e.Description) }

// badParam is a 400 naming the parameter.
func badParam(param, format string, args ...any) *Error {
	return &Error{Status: http.StatusBadRequest, Code: "InvalidParameterValue", Parameter: param,
		Description: fmt.Sprintf("parameter %q: %s", param, fmt.Sprintf(format, args...))}
}

func notFound(format string, args ...any) *Error {
	return &Error{Status: http.StatusNotFound, Code: "NotFound", Description: fmt.Sprintf(format, args...)}
}

// appHandler is a handler that returns its error instead of writing it; one
// place (ServeHTTP) turns every error into JSON or an HTML page.
type appHandler func(w http.ResponseWriter, r *http.Request) error

func (s *Server) handle(h appHandler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		err := h(w, r)
		if err == nil {
			return
		}
		var e *Error
		if !errors.As(err, &e) {
			if r.Context().Err() != nil {
				return // the client went away
			}
			s.log.Error("request failed", "path", r.URL.Path, "err", err, "request_id", requestID(r.Context()))
			e = &Error{Status: http.StatusInternalServerError, Code: "ServerError",
				Description: "internal error; the request id in the logs says more / lỗi hệ thống"}
		}
		s.writeError(w, r, e)
	})
}

func (s *Server) writeError(w http.ResponseWriter, r *http.Request, e *Error) {
	h := w.Header()
	h.Del("ETag")
	h.Del("Content-Encoding")
	h.Del("Content-Crs")
	h.Del("Link")
	h.Set("Cache-Control", "no-store")
	if e.Status == http.StatusServiceUnavailable && h.Get("Retry-After") == "" {
		h.Set("Retry-After", "5") // the database is restarting or busy: seconds, not minutes
	}
	if wantsHTML(r) {
		h.Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(e.Status)
		s.render(w, r, "error.html", pageData{Title: http.StatusText(e.Status), Error: e})
		return
	}
	h.Set("Content-Type", mediaJSON)
	w.WriteHeader(e.Status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(e) // the status is sent; a failed write means the client left
}
