package sample

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"os"
	"strconv"

	"github.com/paulmach/orb"

	"github.com/vn-opendata/geodata/geo"
)

// kv is one property, kept in order.
type kv struct {
	Key   string
	Value any
}

// feature is a feature to write.
type feature struct {
	ID    string
	Geom  orb.Geometry
	Props []kv
}

// writeGeoJSON writes a FeatureCollection, one feature per line.
func writeGeoJSON(path string, features []feature) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	w.WriteString("{\"type\":\"FeatureCollection\",\"features\":[\n")
	for i, ft := range features {
		if i > 0 {
			w.WriteString(",\n")
		}
		if err := writeFeature(w, ft); err != nil {
			f.Close()
			return err
		}
	}
	w.WriteString("\n]}\n")
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func writeFeature(w *bufio.Writer, ft feature) error {
	w.WriteString(`{"type":"Feature","id":`)
	id, _ := json.Marshal(ft.ID)
	w.Write(id)
	w.WriteString(`,"geometry":`)
	w.Write(geo.AppendGeoJSON(nil, ft.Geom))
	w.WriteString(`,"properties":{`)
	for i, p := range ft.Props {
		if i > 0 {
			w.WriteByte(',')
		}
		k, _ := json.Marshal(p.Key)
		v, err := json.Marshal(p.Value)
		if err != nil {
			return err
		}
		w.Write(k)
		w.WriteByte(':')
		w.Write(v)
	}
	_, err := w.WriteString("}}")
	return err
}

// writeCSV writes a UTF-8 CSV with a BOM (so Excel shows Vietnamese correctly).
func writeCSV(path string, header []string, rows [][]string) error {
	return streamCSV(path, header, len(rows), func(i int) []string { return rows[i] })
}

// streamCSV writes a CSV like writeCSV, asking row for each of its n rows in turn,
// so that files of millions of rows are never held in memory.
func streamCSV(path string, header []string, n int, row func(i int) []string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	w.WriteString("\ufeff")
	cw := csv.NewWriter(w)
	cw.Write(header)
	for i := 0; i < n; i++ {
		cw.Write(row(i))
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		f.Close()
		return err
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func ftoa(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
