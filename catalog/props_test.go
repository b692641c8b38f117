package catalog

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/vn-opendata/geodata/store"
)

var propsSchema = []store.Property{
	{Name: "ten", Type: "string"}, {Name: "n", Type: "integer"}, {Name: "x", Type: "number"},
	{Name: "ok", Type: "boolean"}, {Name: "ngay", Type: "date"}, {Name: "obj", Type: "object"}, {Name: "arr", Type: "array"},
}

func byNameOf(schema []store.Property) map[string]int {
	m := map[string]int{}
	for i, p := range schema {
		m[p.Name] = i
	}
	return m
}

func TestDecodePropsAgreesWithEncodingJSON(t *testing.T) {
	cases := []string{
		`{}`,
		`{"ten": "Trường \"Lục Ngạn\"\n\\ \u0111 \ud83d\ude00", "n": 12, "x": 3.5, "ok": true, "ngay": "2024-01-02"}`,
		`{"n": -9007199254740993, "x": 1e-7, "ok": false, "ten": null, "extra": {"a": [1, "}"]}}`,
		`{"obj": {"a": {"b": "]}"}}, "arr": [1, [2, {"c": "x"}], "y"], "ten": ""}`,
		` { "x" : 4 , "n" : 4.0 } `,
	}
	for _, c := range cases {
		got, err := decodeProps([]byte(c), propsSchema, byNameOf(propsSchema))
		if err != nil {
			t.Fatalf("%s: %v", c, err)
		}
		var m map[string]any
		d := json.NewDecoder(strings.NewReader(c))
		d.UseNumber()
		if err := d.Decode(&m); err != nil {
			t.Fatal(err)
		}
		for i, p := range propsSchema {
			want := m[p.Name]
			if n, ok := want.(json.Number); ok {
				if p.Type == "integer" {
					f, _ := n.Float64()
					want = int64(f)
					if i, err := n.Int64(); err == nil {
						want = i
					}
				} else {
					want, _ = n.Float64()
				}
			}
			if obj, ok := want.(map[string]any); ok {
				b, _ := json.Marshal(obj)
				json.Unmarshal(b, &want)
			}
			if arr, ok := want.([]any); ok {
				b, _ := json.Marshal(arr)
				json.Unmarshal(b, &want)
			}
			if !reflect.DeepEqual(got[i], want) {
				t.Errorf("%s: %s = %#v, want %#v", c, p.Name, got[i], want)
			}
		}
	}
}

func TestDecodePropsRefusesBrokenJSON(t *testing.T) {
	for _, c := range []string{``, `[]`, `{"ten": "x"`, `{"ten" "x"}`, `{"n": 1.5}`, `{"ok": 1}`, `{"ten": "unterminated}`} {
		if _, err := decodeProps([]byte(c), propsSchema, byNameOf(propsSchema)); err == nil {
			t.Errorf("%q: no error", c)
		}
	}
}

func TestAppendJSONStringIsValidJSON(t *testing.T) {
	for _, s := range []string{"", "Trường Lục Ngạn", "a\"b\\c\n\t\r\x01\x1f", "\xff\xfe bad utf-8", "emoji 😀", "</script>"} {
		b := AppendJSONString(nil, s)
		var back string
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatalf("%q → %s: %v", s, b, err)
		}
		want, _ := json.Marshal(s) // encoding/json also replaces invalid UTF-8 with U+FFFD
		var wantBack string
		json.Unmarshal(want, &wantBack)
		if back != wantBack {
			t.Errorf("%q round-trips as %q, want %q", s, back, wantBack)
		}
	}
}

func FuzzDecodeProps(f *testing.F) {
	f.Add(`{"ten": "a", "n": 1, "x": 2.5, "ok": true, "obj": {"a": [1]}}`)
	f.Add(`{"ten": "\u00e0\"", "arr": [[], {}]}`)
	f.Fuzz(func(t *testing.T, s string) {
		decodeProps([]byte(s), propsSchema, byNameOf(propsSchema)) // must not panic
	})
}
