package importers

import (
	"bytes"
	"io"
	"os/exec"
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"
)

// allLetters is every Vietnamese vowel with every tone, upper and lower case, and đ Đ.
func allLetters() string {
	var b strings.Builder
	for _, base := range []string{"a", "ă", "â", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y"} {
		for _, tone := range []string{"", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323"} {
			b.WriteString(norm.NFC.String(base + tone))
			b.WriteString(norm.NFC.String(strings.ToUpper(base) + tone))
			b.WriteByte(' ')
		}
	}
	b.WriteString("đ Đ")
	return b.String()
}

func decode(t *testing.T, enc string, b []byte) string {
	t.Helper()
	r, used, err := openText(bytes.NewReader(b), enc)
	if err != nil {
		t.Fatal(err)
	}
	if enc != "" && used != enc {
		t.Fatalf("encoding %s used, want %s", used, enc)
	}
	out, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return norm.NFC.String(string(out))
}

// iconv encodes with glibc, an implementation independent of ours.
func iconv(t *testing.T, to, s string) []byte {
	t.Helper()
	cmd := exec.Command("iconv", "-f", "UTF-8", "-t", to)
	cmd.Stdin = strings.NewReader(s)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("iconv -t %s: %v", to, err)
	}
	return out
}

func TestEveryLetterEveryTone(t *testing.T) {
	want := allLetters()
	if n := len(vietnameseLetters); n != 2*66+2 {
		t.Fatalf("%d non-ASCII Vietnamese letters, want 134", n)
	}
	for _, tc := range []struct{ enc, iconvName string }{
		{EncodingCP1258, "WINDOWS-1258"},
		{EncodingTCVN3, "TCVN5712-1"},
		{EncodingUTF16LE, "UTF-16LE"},
		{EncodingUTF16BE, "UTF-16BE"},
		{EncodingUTF8, "UTF-8"},
	} {
		t.Run(tc.enc, func(t *testing.T) {
			if got := decode(t, tc.enc, iconv(t, tc.iconvName, want)); got != want {
				t.Errorf("decoded\n%q\nwant\n%q", got, want)
			}
		})
	}
	t.Run("vni", func(t *testing.T) {
		if got := decode(t, EncodingVNI, vniEncode(want)); got != want {
			t.Errorf("decoded\n%q\nwant\n%q", got, want)
		}
	})
}

// vniEncode writes text in VNI-Windows from the published VNI key table: the
// mark byte of each vowel-with-tone after its base letter (lower case), capitals
// with the byte 0x20 lower.
func vniEncode(s string) []byte {
	marks := map[string]byte{
		"\u0300": 0xF8, "\u0301": 0xF9, "\u0309": 0xFB, "\u0303": 0xF5, "\u0323": 0xEF,
		"\u0302": 0xE2, "\u0302\u0300": 0xE0, "\u0302\u0301": 0xE1, "\u0302\u0309": 0xE5, "\u0302\u0303": 0xE3, "\u0302\u0323": 0xE4,
		"\u0306": 0xEA, "\u0306\u0300": 0xE8, "\u0306\u0301": 0xE9, "\u0306\u0309": 0xFA, "\u0306\u0303": 0xFC, "\u0306\u0323": 0xEB,
	}
	single := map[string]byte{"đ": 0xF1, "ì": 0xEC, "í": 0xED, "ỉ": 0xE6, "ĩ": 0xF3, "ị": 0xF2, "ơ": 0xF4, "ư": 0xF6, "ỵ": 0xEE}
	var out []byte
	for _, r := range norm.NFC.String(s) {
		lower := strings.ToLower(string(r))
		up := lower != string(r)
		shift := func(b byte) byte {
			if up {
				return b - 0x20
			}
			return b
		}
		if b, ok := single[lower]; ok {
			out = append(out, shift(b))
			continue
		}
		d := norm.NFD.String(lower)
		base, rest := d[:1], d[1:]
		if strings.HasPrefix(rest, "\u0323") && len(rest) > len("\u0323") { // NFD puts the dot below first
			rest = rest[len("\u0323"):] + "\u0323"
		}
		if strings.HasPrefix(rest, "\u031b") { // horn: ơ ư are single bytes followed by the tone
			out = append(out, shift(single[norm.NFC.String(base+"\u031b")]))
			rest = rest[len("\u031b"):]
			base = ""
		}
		if base != "" {
			if up {
				base = strings.ToUpper(base)
			}
			out = append(out, base...)
		}
		if rest != "" {
			out = append(out, shift(marks[rest]))
		}
	}
	return out
}

func TestKnownLegacyStrings(t *testing.T) {
	for _, tc := range []struct {
		enc  string
		in   []byte
		want string
	}{
		{EncodingVNI, []byte("Xin cha\xf8o ca\xf9c ba\xefn"), "Xin chào các bạn"},
		{EncodingVNI, []byte("Vie\xe4t Nam, \xd1o\xe0ng Nai, H\xf6\xf4\xf9ng"), "Việt Nam, Đồng Nai, Hướng"},
		{EncodingTCVN3, []byte("B\xb6o Th\xbeng, M\xad\xeang Kh\xad\xacng"), "Bảo Thắng, Mường Khương"},
		{EncodingCP1258, []byte("Tr\xfd\xf5\xccng Ti\xea\xd2u ho\xf2c"), "Trường Tiểu học"},
	} {
		if got := decode(t, tc.enc, tc.in); got != tc.want {
			t.Errorf("%s %q: got %q, want %q", tc.enc, tc.in, got, tc.want)
		}
	}
}

func TestDetectEncoding(t *testing.T) {
	text := "Mã trường,Tên trường,Địa chỉ,Kinh độ,Vĩ độ\nBG-1,Trường Tiểu học Xương Giang,Phường Hoàng Văn Thụ,106.19,21.27\n" +
		"BG-2,Trường THCS Dĩnh Trì,Xã Đồng Sơn huyện Yên Dũng,106.2,21.3\n"
	for _, tc := range []struct {
		enc     string
		encoded []byte
	}{
		{EncodingUTF8, []byte(text)},
		{EncodingCP1258, iconv(t, "WINDOWS-1258", text)},
		{EncodingTCVN3, iconv(t, "TCVN5712-1", strings.ToLower(text))},
		{EncodingVNI, vniEncode(text)},
		{EncodingUTF16LE, iconv(t, "UTF-16LE", text)},
		{EncodingUTF16BE, iconv(t, "UTF-16BE", text)},
	} {
		if got := DetectEncoding(tc.encoded); got != tc.enc {
			t.Errorf("detected %s, want %s", got, tc.enc)
		}
		want := text
		if tc.enc == EncodingTCVN3 {
			want = strings.ToLower(text)
		}
		if got := decode(t, "", tc.encoded); got != want {
			t.Errorf("%s detected and decoded to %q", tc.enc, got)
		}
	}
}

func TestParseEncoding(t *testing.T) {
	for in, want := range map[string]string{"": "", "UTF-8": EncodingUTF8, "cp1258": EncodingCP1258, "Windows-1258": EncodingCP1258,
		"ABC": EncodingTCVN3, "TCVN3": EncodingTCVN3, "VNI-Windows": EncodingVNI, "utf-16": EncodingUTF16LE} {
		if got, err := ParseEncoding(in); err != nil || got != want {
			t.Errorf("ParseEncoding(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := ParseEncoding("latin-9"); err == nil {
		t.Error("latin-9 accepted")
	}
}
