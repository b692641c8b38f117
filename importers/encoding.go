package importers

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	xunicode "golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// The text encodings the readers accept (Options.Encoding).
const (
	EncodingUTF8    = "utf-8"
	EncodingUTF16LE = "utf-16le"
	EncodingUTF16BE = "utf-16be"
	EncodingCP1258  = "windows-1258"
	EncodingTCVN3   = "tcvn3"
	EncodingVNI     = "vni"
)

// ParseEncoding reads an encoding name as users write it ("cp1258", "ABC",
// "VNI-Windows", "UTF-16"…); "" means detect.
func ParseEncoding(s string) (string, error) {
	switch k := headerKey(s); k {
	case "", "auto", "detect":
		return "", nil
	case "utf8", "unicode":
		return EncodingUTF8, nil
	case "utf16", "utf16le", "ucs2", "ucs2le":
		return EncodingUTF16LE, nil
	case "utf16be", "ucs2be":
		return EncodingUTF16BE, nil
	case "windows1258", "cp1258", "win1258", "1258":
		return EncodingCP1258, nil
	case "tcvn3", "tcvn", "abc", "tcvn5712", "vn3", "tcvn57121":
		return EncodingTCVN3, nil
	case "vni", "vniwindows", "vniwin":
		return EncodingVNI, nil
	}
	return "", fmt.Errorf("encoding %q: want utf-8, utf-16, windows-1258, tcvn3 or vni", s)
}

// decoderFor returns the transformer that turns text in enc into UTF-8.
func decoderFor(enc string) transform.Transformer {
	switch enc {
	case EncodingUTF16LE:
		return xunicode.UTF16(xunicode.LittleEndian, xunicode.IgnoreBOM).NewDecoder()
	case EncodingUTF16BE:
		return xunicode.UTF16(xunicode.BigEndian, xunicode.IgnoreBOM).NewDecoder()
	case EncodingCP1258:
		return charmap.Windows1258.NewDecoder()
	case EncodingTCVN3:
		return tcvn3.NewDecoder()
	case EncodingVNI:
		return vni.NewDecoder()
	}
	return transform.Nop
}

// detectSample is how much of a file encoding detection looks at.
const detectSample = 1 << 20

// openText strips a byte-order mark, detects the encoding when enc is "" and
// returns a reader of UTF-8 text (not yet NFC: callers normalise each value)
// with the encoding used.
func openText(r io.Reader, enc string) (io.Reader, string, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	head, _ := br.Peek(4)
	switch {
	case bytes.HasPrefix(head, []byte{0xEF, 0xBB, 0xBF}):
		br.Discard(3)
		if enc == "" {
			enc = EncodingUTF8
		}
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}):
		br.Discard(2)
		if enc == "" || enc == EncodingUTF16BE {
			enc = EncodingUTF16LE
		}
	case bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
		br.Discard(2)
		if enc == "" || enc == EncodingUTF16LE {
			enc = EncodingUTF16BE
		}
	}
	if enc == "" {
		sample, err := br.Peek(detectSample)
		if err != nil && err != io.EOF && err != bufio.ErrBufferFull {
			return nil, "", err
		}
		enc = DetectEncoding(sample)
	}
	return transform.NewReader(br, decoderFor(enc)), enc, nil
}

// DetectEncoding guesses the encoding of a sample of text: UTF-16 by its zero
// bytes, UTF-8 when the sample is valid UTF-8, else the legacy Vietnamese encoding
// whose decoding reads most like Vietnamese.
func DetectEncoding(sample []byte) string {
	if enc := utf16ByZeros(sample); enc != "" {
		return enc
	}
	if validUTF8Prefix(sample) {
		return EncodingUTF8
	}
	best, bestScore := EncodingCP1258, -1<<31
	for _, enc := range []string{EncodingCP1258, EncodingTCVN3, EncodingVNI} {
		text, _, err := transform.Bytes(decoderFor(enc), sample)
		if err != nil {
			continue
		}
		if s := vietnameseScore(norm.NFC.Bytes(text)); s > bestScore {
			best, bestScore = enc, s
		}
	}
	return best
}

// validUTF8Prefix is utf8.Valid, tolerating a rune cut at the sample's end.
func validUTF8Prefix(b []byte) bool {
	for i := 0; i < 3 && len(b) > 0; i++ {
		if utf8.Valid(b) {
			return true
		}
		r, _ := utf8.DecodeLastRune(b)
		if r != utf8.RuneError {
			return false
		}
		b = b[:len(b)-1]
	}
	return utf8.Valid(b)
}

// utf16ByZeros recognises UTF-16 without a byte-order mark: ASCII text in UTF-16
// has a zero in every other byte.
func utf16ByZeros(b []byte) string {
	if len(b) > 4096 {
		b = b[:4096]
	}
	if len(b) < 4 {
		return ""
	}
	var even, odd int
	for i, c := range b {
		if c == 0 {
			if i%2 == 0 {
				even++
			} else {
				odd++
			}
		}
	}
	half := len(b) / 2
	switch {
	case odd > half*3/5 && even < half/10:
		return EncodingUTF16LE
	case even > half*3/5 && odd < half/10:
		return EncodingUTF16BE
	}
	return ""
}

// vietnameseScore rates decoded text: non-ASCII letters of the Vietnamese
// alphabet count for it; other non-ASCII characters, unattached combining marks
// and syllables with two tone marks count against it.
func vietnameseScore(text []byte) int {
	score := 0
	tones := 0
	for _, r := range string(text) {
		switch {
		case r < 0x80:
			if !unicode.IsLetter(r) {
				tones = 0
			}
		case isVietnameseLetter(r):
			score++
			if toneOf(r) != 0 {
				tones++
				if tones > 1 {
					score -= 4
				}
			}
		default:
			score -= 3
		}
	}
	return score
}

// vietnameseLetters are the letters of the Vietnamese alphabet beyond ASCII, in NFC.
var vietnameseLetters = func() map[rune]bool {
	m := map[rune]bool{'đ': true, 'Đ': true}
	for _, base := range []string{"a", "ă", "â", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y"} {
		for _, tone := range []string{"", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323"} {
			for _, s := range []string{base, strings.ToUpper(base)} {
				r, _ := utf8.DecodeRuneInString(norm.NFC.String(s + tone))
				if r >= 0x80 {
					m[r] = true
				}
			}
		}
	}
	return m
}()

func isVietnameseLetter(r rune) bool { return vietnameseLetters[r] }

// toneOf returns the tone mark of a letter (a combining rune), or 0.
func toneOf(r rune) rune {
	for _, m := range norm.NFD.String(string(r)) {
		switch m {
		case '\u0300', '\u0301', '\u0309', '\u0303', '\u0323':
			return m
		}
	}
	return 0
}

// byteTable decodes a single-byte encoding: each byte maps to one or more runes,
// "" meaning the byte itself (ASCII). VNI writes a letter as a base letter
// followed by mark bytes, which decode to combining marks that NFC composes.
type byteTable [256]string

// NewDecoder returns a decoder of the table's encoding.
func (t *byteTable) NewDecoder() transform.Transformer { return tableDecoder{t} }

type tableDecoder struct{ t *byteTable }

func (d tableDecoder) Reset() {}

func (d tableDecoder) Transform(dst, src []byte, atEOF bool) (nDst, nSrc int, err error) {
	for nSrc < len(src) {
		c := src[nSrc]
		s := d.t[c]
		if s == "" {
			if nDst >= len(dst) {
				return nDst, nSrc, transform.ErrShortDst
			}
			dst[nDst] = c
			nDst++
			nSrc++
			continue
		}
		if nDst+len(s) > len(dst) {
			return nDst, nSrc, transform.ErrShortDst
		}
		nDst += copy(dst[nDst:], s)
		nSrc++
	}
	return nDst, nSrc, nil
}

// tcvn3 is TCVN 5712:1993 (the "ABC" fonts .VnTime…) in its full VN1 table:
// VN3 (TCVN3) files use its lower-case letters and Ă Â Đ Ê Ô Ơ Ư; VN1 adds the
// capitals, twelve of them in the control range; 0xB0–0xB4 are combining tone marks.
var tcvn3 = func() *byteTable {
	codes := [128]rune{
		0x00C0, 0x1EA2, 0x00C3, 0x00C1, 0x1EA0, 0x1EB6, 0x1EAC, 0x00C8,
		0x1EBA, 0x1EBC, 0x00C9, 0x1EB8, 0x1EC6, 0x00CC, 0x1EC8, 0x0128,
		0x00CD, 0x1ECA, 0x00D2, 0x1ECE, 0x00D5, 0x00D3, 0x1ECC, 0x1ED8,
		0x1EDC, 0x1EDE, 0x1EE0, 0x1EDA, 0x1EE2, 0x00D9, 0x1EE6, 0x0168,
		0x00A0, 0x0102, 0x00C2, 0x00CA, 0x00D4, 0x01A0, 0x01AF, 0x0110,
		0x0103, 0x00E2, 0x00EA, 0x00F4, 0x01A1, 0x01B0, 0x0111, 0x1EB0,
		0x0300, 0x0309, 0x0303, 0x0301, 0x0323, 0x00E0, 0x1EA3, 0x00E3,
		0x00E1, 0x1EA1, 0x1EB2, 0x1EB1, 0x1EB3, 0x1EB5, 0x1EAF, 0x1EB4,
		0x1EAE, 0x1EA6, 0x1EA8, 0x1EAA, 0x1EA4, 0x1EC0, 0x1EB7, 0x1EA7,
		0x1EA9, 0x1EAB, 0x1EA5, 0x1EAD, 0x00E8, 0x1EC2, 0x1EBB, 0x1EBD,
		0x00E9, 0x1EB9, 0x1EC1, 0x1EC3, 0x1EC5, 0x1EBF, 0x1EC7, 0x00EC,
		0x1EC9, 0x1EC4, 0x1EBE, 0x1ED2, 0x0129, 0x00ED, 0x1ECB, 0x00F2,
		0x1ED4, 0x1ECF, 0x00F5, 0x00F3, 0x1ECD, 0x1ED3, 0x1ED5, 0x1ED7,
		0x1ED1, 0x1ED9, 0x1EDD, 0x1EDF, 0x1EE1, 0x1EDB, 0x1EE3, 0x00F9,
		0x1ED6, 0x1EE7, 0x0169, 0x00FA, 0x1EE5, 0x1EEB, 0x1EED, 0x1EEF,
		0x1EE9, 0x1EF1, 0x1EF3, 0x1EF7, 0x1EF9, 0x00FD, 0x1EF5, 0x1ED0,
	}
	var t byteTable
	for i, r := range codes {
		t[0x80+i] = string(r)
	}
	for b, r := range map[byte]rune{0x01: 0x00DA, 0x02: 0x1EE4, 0x04: 0x1EEA, 0x05: 0x1EEC, 0x06: 0x1EEE,
		0x11: 0x1EE8, 0x12: 0x1EF0, 0x13: 0x1EF2, 0x14: 0x1EF6, 0x15: 0x1EF8, 0x16: 0x00DD, 0x17: 0x1EF4} {
		t[b] = string(r)
	}
	return &t
}()

// vni is the VNI-Windows encoding: Windows-1252 bytes, where a vowel is written
// as the base letter followed by a byte for its marks (lower-case bytes after
// lower-case letters, upper-case bytes, 0x20 lower, after capitals), and
// đ ơ ư and the i-vowels and ỵ are single bytes.
var vni = func() *byteTable {
	var t byteTable
	cp1252 := charmap.Windows1252.NewDecoder()
	for b := 0x80; b < 0x100; b++ {
		t[b], _ = cp1252.String(string([]byte{byte(b)}))
	}
	const (
		grave, acute, hook, tilde, dot = "\u0300", "\u0301", "\u0309", "\u0303", "\u0323"
		circ, breve                    = "\u0302", "\u0306"
	)
	lower := map[byte]string{
		0xF8: grave, 0xF9: acute, 0xFB: hook, 0xF5: tilde, 0xEF: dot,
		0xE2: circ, 0xE0: circ + grave, 0xE1: circ + acute, 0xE5: circ + hook, 0xE3: circ + tilde, 0xE4: circ + dot,
		0xEA: breve, 0xE8: breve + grave, 0xE9: breve + acute, 0xFA: breve + hook, 0xFC: breve + tilde, 0xEB: breve + dot,
		0xF1: "đ", 0xEC: "ì", 0xED: "í", 0xE6: "ỉ", 0xF3: "ĩ", 0xF2: "ị", 0xF4: "ơ", 0xF6: "ư", 0xEE: "ỵ",
	}
	for b, s := range lower {
		t[b] = s
		t[b-0x20] = strings.ToUpper(s)
	}
	return &t
}()
