package filter

import (
	"fmt"
	"unicode/utf8"
)

// Error is a filter that cannot be read or does not fit the collection: a client
// error, answered with 400. Its message names the problem and where it is.
type Error struct {
	Lang    string // LangText or LangJSON
	Offset  int    // CQL2 text: byte offset of the problem; -1 when it has no place
	Column  int    // CQL2 text: 1-based character position of the problem; 0 when it has no place
	Path    string // CQL2 JSON: JSON pointer of the offending member ("/args/1")
	Message string
}

func (e *Error) Error() string {
	switch {
	case e.Column > 0:
		return fmt.Sprintf("%s filter, character %d: %s", e.Lang, e.Column, e.Message)
	case e.Path != "":
		return fmt.Sprintf("%s filter, at %s: %s", e.Lang, e.Path, e.Message)
	}
	return fmt.Sprintf("%s filter: %s", e.Lang, e.Message)
}

// textError places a message at byte offset off of src.
func textError(src string, off int, format string, args ...any) *Error {
	e := &Error{Lang: LangText, Offset: off, Message: fmt.Sprintf(format, args...)}
	if off >= 0 && off <= len(src) {
		e.Column = utf8.RuneCountInString(src[:off]) + 1
	}
	return e
}

func jsonError(path, format string, args ...any) *Error {
	if path == "" {
		path = "/"
	}
	return &Error{Lang: LangJSON, Offset: -1, Path: path, Message: fmt.Sprintf(format, args...)}
}

// nodeError places a message at a node of a tree parsed from src (text) or JSON.
func nodeError(src, lang string, n *Node, format string, args ...any) *Error {
	if lang == LangJSON {
		return jsonError(n.Path, format, args...)
	}
	return textError(src, n.Pos, format, args...)
}
