package opendata

import (
	"strconv"
	"strings"
	"time"
)

// DayText writes a YYYY-MM-DD day the Vietnamese way, dd/mm/yyyy; anything
// else is returned as it is.
func DayText(day string) string {
	t, err := time.Parse(time.DateOnly, day)
	if err != nil {
		return day
	}
	return t.Format("02/01/2006")
}

// PercentText writes a share with a decimal comma: 66,7 %, 50 %.
func PercentText(p float64) string {
	s := strings.TrimSuffix(strconv.FormatFloat(p, 'f', 1, 64), ".0")
	return strings.Replace(s, ".", ",", 1) + " %"
}

// SizeText writes a byte count for people: 12,3 MB.
func SizeText(n int64) string {
	units := []string{"B", "kB", "MB", "GB"}
	v := float64(n)
	i := 0
	for v >= 1000 && i < len(units)-1 {
		v /= 1000
		i++
	}
	if i == 0 {
		return strconv.FormatInt(n, 10) + " B"
	}
	return strings.Replace(strconv.FormatFloat(v, 'f', 1, 64), ".", ",", 1) + " " + units[i]
}
