package handlers

import (
	"errors"
	"net/http"
	"strings"

	"github.com/vn-opendata/geodata/store"
)

// authenticate returns the token of the request's "Authorization: Bearer"
// header: nil without one, a 401 when it is unknown, revoked or expired, a 503
// when the database does not answer. Issue 9 extends this (scopes, upload API).
func (s *Server) authenticate(r *http.Request) (*store.Token, error) {
	h := r.Header.Get("Authorization")
	if h == "" {
		return nil, nil
	}
	scheme, secret, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(secret) == "" {
		return nil, unauthorized("the Authorization header must be \"Bearer <token>\"")
	}
	tok, err := s.db.LookupToken(r.Context(), strings.TrimSpace(secret))
	if errors.Is(err, store.ErrNotFound) {
		return nil, unauthorized("unknown, revoked or expired token")
	}
	if err != nil {
		return nil, s.unavailable(err)
	}
	return &tok, nil
}

// requireToken is authenticate that refuses requests without a token.
func (s *Server) requireToken(r *http.Request) (*store.Token, error) {
	tok, err := s.authenticate(r)
	if err == nil && tok == nil {
		err = unauthorized("this needs an agency's token: Authorization: Bearer <token> (geodata token create)")
	}
	return tok, err
}

func unauthorized(why string) *Error {
	return &Error{Status: http.StatusUnauthorized, Code: "Unauthorized",
		Description: why + " / cần mã truy cập (token) hợp lệ của đơn vị"}
}

func forbidden(why string) *Error {
	return &Error{Status: http.StatusForbidden, Code: "Forbidden", Description: why + " / đơn vị không có quyền với mục này"}
}
