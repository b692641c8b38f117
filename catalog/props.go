package catalog

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"unicode/utf8"

	"github.com/vn-opendata/geodata/store"
)

// Loading a snapshot decodes and re-encodes every feature's properties, a
// million times for a large collection, so both directions are written by hand
// for flat objects: no reflection, one allocation per value at most. Nested
// objects and arrays, rare in our data, go through encoding/json.

var errProps = errors.New("properties are not a JSON object")

// decodeProps turns a stored JSON object (jsonb's text form) into values in
// schema order.
func decodeProps(raw []byte, schema []store.Property, byName map[string]int) ([]any, error) {
	out := make([]any, len(schema))
	i := skipSpace(raw, 0)
	if i >= len(raw) || raw[i] != '{' {
		return nil, errProps
	}
	i = skipSpace(raw, i+1)
	if i < len(raw) && raw[i] == '}' {
		return out, nil
	}
	for {
		key, next, err := readString(raw, i)
		if err != nil {
			return nil, fmt.Errorf("properties: %w", err)
		}
		i = skipSpace(raw, next)
		if i >= len(raw) || raw[i] != ':' {
			return nil, errProps
		}
		start := skipSpace(raw, i+1)
		end, err := valueEnd(raw, start)
		if err != nil {
			return nil, fmt.Errorf("property %q: %w", key, err)
		}
		if pos, ok := byName[key]; ok {
			v, err := decodeValue(raw[start:end], schema[pos].Type)
			if err != nil {
				return nil, fmt.Errorf("property %q: %w", key, err)
			}
			out[pos] = v
		}
		i = skipSpace(raw, end)
		if i >= len(raw) {
			return nil, errProps
		}
		if raw[i] == '}' {
			return out, nil
		}
		if raw[i] != ',' {
			return nil, errProps
		}
		i = skipSpace(raw, i+1)
	}
}

// decodeValue reads one JSON value as the schema type says.
func decodeValue(v []byte, typ string) (any, error) {
	if string(v) == "null" {
		return nil, nil
	}
	switch typ {
	case "integer":
		if n, err := strconv.ParseInt(string(v), 10, 64); err == nil {
			return n, nil
		}
		f, err := strconv.ParseFloat(string(v), 64) // 3.0 written by another tool
		if err != nil || f != math.Trunc(f) {
			return nil, fmt.Errorf("%s is not an integer", v)
		}
		return int64(f), nil
	case "number":
		return strconv.ParseFloat(string(v), 64)
	case "boolean":
		switch string(v) {
		case "true":
			return true, nil
		case "false":
			return false, nil
		}
		return nil, fmt.Errorf("%s is not a boolean", v)
	case "string", "date", "date-time":
		if len(v) > 0 && v[0] == '"' {
			s, _, err := readString(v, 0)
			return s, err
		}
		return string(v), nil // a number or boolean in a text column: keep its text
	}
	var x any // nested objects and arrays are kept as they are
	err := json.Unmarshal(v, &x)
	return x, err
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// readString reads the JSON string starting at b[i] and returns it with the
// position after its closing quote.
func readString(b []byte, i int) (string, int, error) {
	if i >= len(b) || b[i] != '"' {
		return "", i, errors.New("expected a string")
	}
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '"':
			return string(b[i+1 : j]), j + 1, nil
		case '\\':
			end, err := valueEnd(b, i)
			if err != nil {
				return "", i, err
			}
			var s string
			err = json.Unmarshal(b[i:end], &s)
			return s, end, err
		}
	}
	return "", i, errors.New("unterminated string")
}

// valueEnd returns the position just after the JSON value starting at b[i].
func valueEnd(b []byte, i int) (int, error) {
	if i >= len(b) {
		return i, errors.New("missing value")
	}
	switch b[i] {
	case '"':
		for j := i + 1; j < len(b); j++ {
			switch b[j] {
			case '\\':
				j++
			case '"':
				return j + 1, nil
			}
		}
		return i, errors.New("unterminated string")
	case '{', '[':
		depth := 0
		for j := i; j < len(b); j++ {
			switch b[j] {
			case '"':
				end, err := valueEnd(b, j)
				if err != nil {
					return i, err
				}
				j = end - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1, nil
				}
			}
		}
		return i, errors.New("unterminated object or array")
	}
	j := i
	for j < len(b) && b[j] != ',' && b[j] != '}' && b[j] != ']' && b[j] != ' ' && b[j] != '\n' && b[j] != '\t' && b[j] != '\r' {
		j++
	}
	if j == i {
		return i, errors.New("missing value")
	}
	return j, nil
}

// AppendValue appends one property value as JSON; reals of type "number" always
// carry a decimal point (see FormatNumber).
func AppendValue(dst []byte, v any, typ string) ([]byte, error) {
	switch v := v.(type) {
	case nil:
		return append(dst, "null"...), nil
	case int64:
		if typ == "number" {
			return appendNumber(dst, float64(v)), nil
		}
		return strconv.AppendInt(dst, v, 10), nil
	case float64:
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return append(dst, "null"...), nil
		}
		return appendNumber(dst, v), nil
	case bool:
		return strconv.AppendBool(dst, v), nil
	case string:
		return AppendJSONString(dst, v), nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return dst, err
	}
	return append(dst, b...), nil
}

// appendNumber is FormatNumber without the intermediate string.
func appendNumber(dst []byte, v float64) []byte {
	if v == math.Trunc(v) && math.Abs(v) < 1e21 {
		return strconv.AppendFloat(dst, v, 'f', 1, 64)
	}
	return strconv.AppendFloat(dst, v, 'g', -1, 64)
}

const hexDigits = "0123456789abcdef"

// AppendJSONString appends s as a JSON string: quotes, backslashes and control
// characters escaped, other UTF-8 as is; invalid UTF-8 becomes U+FFFD.
func AppendJSONString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				dst = append(dst, s[start:i]...)
				dst = append(dst, `\ufffd`...)
				i += size
				start = i
				continue
			}
			i += size
			continue
		}
		dst = append(dst, s[start:i]...)
		switch c {
		case '"', '\\':
			dst = append(dst, '\\', c)
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\r':
			dst = append(dst, '\\', 'r')
		case '\t':
			dst = append(dst, '\\', 't')
		default:
			dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
		}
		i++
		start = i
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// ValueText is a property value as text, as a table cell, a CSV field or a query
// string writes it: numbers in full precision without exponent, nested values as
// JSON, null as "".
func ValueText(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case int64:
		return strconv.FormatInt(v, 10)
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(v)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}
