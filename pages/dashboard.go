package pages

import (
	"fmt"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/abusedesk/abusedesk/desk"
	"github.com/abusedesk/abusedesk/models"
)

// The console's dashboard (issue 15): charts drawn on the server as inline
// SVG (no script, no inline style: colours come from dashboard.css by
// class), each with a title, a description and the same numbers as a
// table beside it for screen readers and for anyone who prefers numbers.

// dashboardWindows are the windows offered in the page's form; any
// ?days=1..desk.MaxDashboardDays is accepted.
var dashboardWindows = []int{7, 30, 90}

// Chart geometry, in SVG user units (the SVG scales to its box).
const (
	chartW, chartH       = 720.0, 240.0
	padLeft, padRight    = 44.0, 8.0
	padTop, padBottom    = 10.0, 28.0
	seriesClasses        = 12 // s0..s11 in dashboard.css
	maxXLabels           = 10
	deadlineBarMaxLength = 420.0
	deadlineRowHeight    = 36.0
)

// dashboardData is what dashboard.html renders.
type dashboardData struct {
	D          desk.Dashboard
	Windows    []int
	Channels   chart
	Categories chart
	Action     chart
	Deadlines  []deadlineBar
	// Median and P90 over the window, ActionDays per day, DueCases the
	// near-deadline cases: desk's numbers said for people.
	Median, P90 string
	ActionDays  []actionRow
	DueCases    []dueRow
}

// actionRow is one day of the time-to-first-action table.
type actionRow struct {
	Day                   string
	Cases, Acted, Waiting int
	Median, P90           string
}

// dueRow is one case near its deadline.
type dueRow struct {
	desk.DeadlineCase
	Left    string
	Overdue bool
}

// chart is one bar chart, laid out for the template.
type chart struct {
	ID, Title, Desc string
	W, H            float64
	Bars            []bar
	YTicks          []tick
	XLabels         []tick
	Legend          []legendItem
	Empty           bool
	// Days are a stacked chart's numbers, for its table.
	Days []desk.DayStack
}

// bar is one rectangle; Label is its tooltip and accessible name.
type bar struct {
	X, Y, W, H   float64
	Class, Label string
	Key, Day     string
	N            int64
}

// tick is an axis label at a position.
type tick struct {
	Pos  float64
	Text string
}

// legendItem names a series' colour.
type legendItem struct {
	Class, Key string
	N          int64
}

// deadlineBar is one bucket of the deadline chart.
type deadlineBar struct {
	Label, Class string
	N            int64
	W, Y         float64
}

// dashboardPage shows the dashboard over ?days (default 30).
func (p *Pages) dashboardPage(c echo.Context) error {
	days := desk.DefaultDashboardDays
	if v := c.QueryParam("days"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > desk.MaxDashboardDays {
			return desk.BadRequest("days", "must be a whole number of days from 1 to %d", desk.MaxDashboardDays)
		}
		days = n
	}
	d, err := p.desk.Dashboard(c.Request().Context(), days, time.Now())
	if err != nil {
		return err
	}
	data := dashboardData{D: d, Windows: dashboardWindows,
		Channels: stackedChart("chart-channels", "Reports per day by channel",
			fmt.Sprintf("%d reports in %d days, stacked by the channel they came through", d.Total, d.Days), d.Dates, d.Channels, nil),
		Categories: stackedChart("chart-categories", "Reports per day by category",
			fmt.Sprintf("%d reports in %d days, stacked by category", d.Total, d.Days), d.Dates, d.Categories, categoryName),
		Action:    actionChart(d),
		Deadlines: deadlineBars(d.Deadlines),
		Median:    span(d.Action.Median), P90: span(d.Action.P90),
	}
	for _, a := range d.Action.PerDay {
		r := actionRow{Day: a.Day, Cases: a.Cases, Acted: a.Acted, Waiting: a.Waiting}
		if a.Acted > 0 {
			r.Median, r.P90 = span(a.Median), span(a.P90)
		}
		data.ActionDays = append(data.ActionDays, r)
	}
	for _, c := range d.Deadlines.Cases {
		data.DueCases = append(data.DueCases, dueRow{DeadlineCase: c, Left: span(c.Left.Abs()), Overdue: c.Left < 0})
	}
	return p.render(c, http.StatusOK, "dashboard", "Dashboard", data)
}

func categoryName(k string) string { return categoryLabel(models.Category(k)) }

// plot is the drawing area of a chart and its scales.
type plot struct {
	n    int     // days
	max  float64 // the top of the y axis
	step float64 // width of one day
}

func newPlot(days int, top float64) plot {
	return plot{n: days, max: top, step: (chartW - padLeft - padRight) / float64(days)}
}

// y is the SVG y of value v; h is the height of a bar of v.
func (pl plot) y(v float64) float64 { return padTop + (chartH-padTop-padBottom)*(1-v/pl.max) }
func (pl plot) h(v float64) float64 { return (chartH - padTop - padBottom) * v / pl.max }
func (pl plot) x(i int) float64     { return padLeft + float64(i)*pl.step }

// niceMax rounds a chart's largest value up to 1, 2 or 5 times a power of
// ten, so the axis has round ticks; never below 1.
func niceMax(v float64) float64 {
	if v <= 1 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 5, 10} {
		if v <= m*p {
			return m * p
		}
	}
	return 10 * p
}

// yTickSteps divides a niceMax top into whole steps: 1 and 2 by one, 5 by
// five, 10 by five (2, 4, ...), 20 by four (5, 10, ...), and so on.
func yTickSteps(top float64) int {
	switch {
	case top <= 2:
		return int(top)
	case math.Mod(top, 4) == 0:
		return 4
	}
	return 5
}

// axes fills a chart's ticks: whole steps on y (format names the values), at
// most maxXLabels day labels on x.
func (ch *chart) axes(pl plot, dates []string, format func(float64) string) {
	steps := yTickSteps(pl.max)
	for i := 0; i <= steps; i++ {
		v := pl.max * float64(i) / float64(steps)
		ch.YTicks = append(ch.YTicks, tick{Pos: pl.y(v), Text: format(v)})
	}
	every := int(math.Ceil(float64(len(dates)) / maxXLabels))
	for i := 0; i < len(dates); i += every {
		ch.XLabels = append(ch.XLabels, tick{Pos: pl.x(i) + pl.step/2, Text: dates[i][5:]})
	}
}

func countLabel(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// stackedChart draws a breakdown as one stacked bar per day; name turns a
// key into its label (nil: the key itself).
func stackedChart(id, title, desc string, dates []string, b desk.Breakdown, name func(string) string) chart {
	if name == nil {
		name = func(k string) string { return k }
	}
	ch := chart{ID: id, Title: title, Desc: desc, W: chartW, H: chartH, Days: b.Days}
	class := map[string]string{}
	for i, k := range b.Keys {
		class[k.Key] = "s" + strconv.Itoa(i%seriesClasses)
		ch.Legend = append(ch.Legend, legendItem{Class: class[k.Key], Key: name(k.Key), N: k.N})
	}
	var top int64
	for _, d := range b.Days {
		top = max(top, d.Total)
	}
	ch.Empty = top == 0
	pl := newPlot(len(dates), niceMax(float64(top)))
	ch.axes(pl, dates, countLabel)
	for i, d := range b.Days {
		var below int64
		for _, part := range d.Parts {
			below += part.N
			ch.Bars = append(ch.Bars, bar{X: pl.x(i) + pl.step*0.1, W: pl.step * 0.8, Y: pl.y(float64(below)), H: pl.h(float64(part.N)),
				Class: class[part.Key], Key: part.Key, Day: d.Day, N: part.N,
				Label: fmt.Sprintf("%s: %d %s", d.Day, part.N, name(part.Key))})
		}
	}
	return ch
}

// actionChart draws the median (dark) over the 90th percentile (light)
// time to first action per day of creation, in hours.
func actionChart(d desk.Dashboard) chart {
	ch := chart{ID: "chart-action", Title: "Time to first action",
		Desc: "Per day of creation: median and 90th percentile of the hours from a report to its first notice sent or decision",
		W:    chartW, H: chartH,
		Legend: []legendItem{{Class: "median", Key: "median"}, {Class: "p90", Key: "90th percentile"}}}
	var top time.Duration
	for _, a := range d.Action.PerDay {
		top = max(top, a.P90)
	}
	ch.Empty = d.Action.Acted == 0
	pl := newPlot(len(d.Dates), niceMax(top.Hours()))
	ch.axes(pl, d.Dates, func(v float64) string { return countLabel(v) + "h" })
	for i, a := range d.Action.PerDay {
		if a.Acted == 0 {
			continue
		}
		x, w := pl.x(i)+pl.step*0.1, pl.step*0.8
		ch.Bars = append(ch.Bars,
			bar{X: x, W: w, Y: pl.y(a.P90.Hours()), H: pl.h(a.P90.Hours()), Class: "p90", Key: "p90", Day: a.Day,
				Label: fmt.Sprintf("%s: 90th percentile %s (%d acted on)", a.Day, span(a.P90), a.Acted)},
			bar{X: x, W: w, Y: pl.y(a.Median.Hours()), H: pl.h(a.Median.Hours()), Class: "median", Key: "median", Day: a.Day,
				Label: fmt.Sprintf("%s: median %s (%d acted on)", a.Day, span(a.Median), a.Acted)})
	}
	return ch
}

// deadlineBars are the buckets of cases due soon, as horizontal bars
// scaled to the largest.
func deadlineBars(d desk.Deadlines) []deadlineBar {
	out := []deadlineBar{
		{Label: "Overdue", Class: "overdue", N: d.Overdue},
		{Label: "Due within 24 h", Class: "due24", N: d.Within24},
		{Label: "Due within 72 h", Class: "due72", N: d.Within72},
		{Label: "Due within 7 days", Class: "due7d", N: d.Within7d},
	}
	var top int64 = 1
	for _, b := range out {
		top = max(top, b.N)
	}
	for i := range out {
		out[i].W = deadlineBarMaxLength * float64(out[i].N) / float64(top)
		out[i].Y = 6 + float64(i)*deadlineRowHeight
	}
	return out
}

// span says a duration (not negative) for people: "45s", "12m", "3h 5m",
// "2d 4h".
func span(d time.Duration) string {
	switch {
	case d < time.Minute:
		return strconv.Itoa(int(d.Seconds())) + "s"
	case d < time.Hour:
		return strconv.Itoa(int(d.Minutes())) + "m"
	case d < 24*time.Hour:
		return fmt.Sprintf("%dh %dm", int(d.Hours()), int(d.Minutes())%60)
	}
	return fmt.Sprintf("%dd %dh", int(d.Hours())/24, int(d.Hours())%24)
}
