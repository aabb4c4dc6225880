package transparency

import (
	"embed"
	"encoding/csv"
	"html/template"
	"io"
	"strconv"
)

// WriteCSV writes the report in long form, one figure a row:
// month,dimension,key,metric,value. Dimension is total (empty key),
// service, category, or termination (key service/reason).
func WriteCSV(w io.Writer, r *Report) error {
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"month", "dimension", "key", "metric", "value"})
	cell := func(month, dim, key string, c *Counts) {
		for _, m := range Metrics {
			_ = cw.Write([]string{month, dim, key, m.Name, strconv.FormatInt(*m.Get(c), 10)})
		}
		if c.MedianFirstActionSeconds != nil {
			_ = cw.Write([]string{month, dim, key, "median_first_action_seconds", strconv.FormatFloat(*c.MedianFirstActionSeconds, 'f', -1, 64)})
		}
	}
	for _, m := range r.Months {
		cell(m.Month, "total", "", m.Total)
		for _, k := range SortedKeys(m.ByService) {
			cell(m.Month, "service", k, m.ByService[k])
		}
		for _, k := range SortedKeys(m.ByCategory) {
			cell(m.Month, "category", k, m.ByCategory[k])
		}
		for _, t := range m.Terminations {
			_ = cw.Write([]string{m.Month, "termination", t.Service + "/" + t.Reason, "terminations", strconv.FormatInt(t.Count, 10)})
		}
	}
	cw.Flush()
	return cw.Error()
}

//go:embed page.html.tmpl
var pageFS embed.FS

var page = template.Must(template.New("page.html.tmpl").Funcs(template.FuncMap{
	"metrics": func() any { return Metrics },
	"get":     func(c *Counts, i int) int64 { return *Metrics[i].Get(c) },
	"keys":    SortedKeys,
	"active":  func(ms []*Month) []*Month { return split(ms, false) },
	"empty":   func(ms []*Month) []*Month { return split(ms, true) },
	"duration": func(s *float64) string {
		if s == nil {
			return "–"
		}
		return formatSeconds(*s)
	},
}).ParseFS(pageFS, "page.html.tmpl"))

// WriteHTML writes the report as a plain HTML page.
func WriteHTML(w io.Writer, r *Report) error { return page.Execute(w, r) }

// split keeps the months with (empty=false) or without (empty=true) any
// figure: the page shows the months with data and lists the empty ones on
// one line, instead of a table of zeros per month.
func split(ms []*Month, empty bool) []*Month {
	var out []*Month
	for _, m := range ms {
		if m.isEmpty() == empty {
			out = append(out, m)
		}
	}
	return out
}

// isEmpty reports whether a month has no figure at all.
func (m *Month) isEmpty() bool {
	if len(m.Terminations) > 0 || m.Total.MedianFirstActionSeconds != nil || m.Orders != nil {
		return false
	}
	for _, x := range Metrics {
		if *x.Get(m.Total) != 0 {
			return false
		}
	}
	return true
}

// formatSeconds renders a duration in seconds for people: 45s, 12m, 3.5h, 2.0d.
func formatSeconds(s float64) string {
	switch {
	case s < 60:
		return strconv.FormatFloat(s, 'f', 0, 64) + "s"
	case s < 3600:
		return strconv.FormatFloat(s/60, 'f', 0, 64) + "m"
	case s < 86400:
		return strconv.FormatFloat(s/3600, 'f', 1, 64) + "h"
	}
	return strconv.FormatFloat(s/86400, 'f', 1, 64) + "d"
}
