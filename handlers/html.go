package handlers

import (
	"strings"

	"github.com/vn-opendata/geodata/catalog"
)

// itemsView is the items page: a table of the page's features, paging links.
type itemsView struct {
	Collection string
	Columns    []string
	Rows       []itemRow
	Matched    int
	From, To   int
	Next, Prev string
	JSONLink   string
}

type itemRow struct {
	ID     string
	Values []string
}

func itemsPage(snap *catalog.Snapshot, page []int32, links []link, matched int, q itemsQuery) itemsView {
	v := itemsView{Collection: snap.ID(), Matched: matched, From: q.offset + 1, To: q.offset + len(page)}
	for _, p := range snap.Collection.Schema {
		v.Columns = append(v.Columns, p.Name)
	}
	for _, i := range page {
		f := &snap.Features[i]
		row := itemRow{ID: f.ID}
		for _, val := range f.Props {
			row.Values = append(row.Values, valueText(val))
		}
		v.Rows = append(v.Rows, row)
	}
	for _, l := range links {
		switch l.Rel {
		case "next":
			v.Next = strings.Replace(l.Href, "f=json", "f=html", 1)
		case "prev":
			v.Prev = strings.Replace(l.Href, "f=json", "f=html", 1)
		case "self":
			v.JSONLink = l.Href
		}
	}
	return v
}

// itemView is one feature's page.
type itemView struct {
	Collection string
	ID         string
	Props      [][2]string
	GeoJSON    string
}

func itemPage(snap *catalog.Snapshot, f *catalog.Feature, _ []link) itemView {
	v := itemView{Collection: snap.ID(), ID: f.ID, GeoJSON: string(f.JSON)}
	for i, p := range snap.Collection.Schema {
		v.Props = append(v.Props, [2]string{p.Name, valueText(f.Props[i])})
	}
	return v
}
