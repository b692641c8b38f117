package catalog

import (
	"time"

	"github.com/vn-opendata/geodata/store"
)

// DB is the database the catalog reads from, for the catalogue's own queries
// (vocabularies, version history, usage, feedback).
func (c *Catalog) DB() *store.DB { return c.db }

// Facts gathers what coverage and freshness need of each collection: its
// agency, the day it was first provided (declared, else its first version), the
// days of its versions and its frequency's staleness limit.
func Facts(cols []store.Collection, history []store.VersionRecord, freqs map[string]store.Frequency) []DatasetFacts {
	updates := map[string][]time.Time{}
	for _, v := range history {
		updates[v.Collection] = append(updates[v.Collection], Day(v.CreatedAt))
	}
	out := make([]DatasetFacts, 0, len(cols))
	for _, c := range cols {
		d := DatasetFacts{ID: c.ID, Title: c.Title, AgencyID: c.AgencyID, Frequency: c.Frequency,
			Updates: updates[c.ID], MaxDays: freqs[c.Frequency].MaxDays}
		if p, err := ParseDay(c.FirstPublished); err == nil {
			d.Published = p
		}
		if len(d.Updates) == 0 && !c.UpdatedAt.IsZero() {
			d.Updates = []time.Time{Day(c.UpdatedAt)}
		}
		out = append(out, d)
	}
	return out
}
