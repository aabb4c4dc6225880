package pages

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/abusedesk/abusedesk/config"
	"github.com/abusedesk/abusedesk/desk"
	"github.com/abusedesk/abusedesk/models"
)

// queuePageSize is how many cases one queue page lists.
const queuePageSize = 50

type queueData struct {
	Filter   queueFilter
	Errors   fieldErrors
	Cases    []models.Case
	Statuses []models.Status
	Cats     []models.Category
	Services []models.Service
	NextPage string
	Analyst  bool // may open the case page (auditors see the timeline)
	// Assigned is who claimed each listed case (absent: nobody).
	Assigned map[string]desk.Assignment
	Summary  desk.QueueSummary
	// OldestAge is the oldest open case's age in words ("3d 4h").
	OldestAge string
	Verdicts  []string // the verdicts a bulk decision may take
	Clauses   []clauseOption
	Back      string // this queue page, where claims return to
	// AssigneeLinks filter by claim, keeping the other filters.
	AssigneeLinks []assigneeLink
}

// assigneeLink is one of the queue's "all / mine / unassigned" links.
type assigneeLink struct {
	Value, Label, URL string
	Current           bool
}

// queueFilter is the queue's filter form, as submitted.
type queueFilter struct {
	Status, Category, Service, Domain, Due string
	// Assignee is "" (all), "mine" or "none" (unclaimed).
	Assignee string
	Page     int
}

var allStatuses = []models.Status{models.StatusReceived, models.StatusClassifying, models.StatusForwarding,
	models.StatusAwaitingAnalyst, models.StatusAwaitingReporter, models.StatusAwaitingOperator, models.StatusDisputed,
	models.StatusCounterNotice, models.StatusRegistrarReview, models.StatusAwaitingRegistrant, models.StatusClosed}

// queue lists cases in queue order (CSAM first, then by next deadline,
// then oldest) with the filters of GET /v1/cases.
func (p *Pages) queue(c echo.Context) error {
	f := queueFilter{Status: c.QueryParam("status"), Category: c.QueryParam("category"),
		Service: c.QueryParam("service"), Domain: strings.TrimSpace(c.QueryParam("domain")), Due: c.QueryParam("due"),
		Assignee: c.QueryParam("assignee")}
	if f.Status == "" {
		f.Status = "open"
	}
	f.Page, _ = strconv.Atoi(c.QueryParam("page"))
	f.Page = max(f.Page, 1)
	k, _ := c.Get(ctxUser).(config.APIKey)
	d := queueData{Filter: f, Errors: fieldErrors{}, Statuses: allStatuses, Cats: models.Categories,
		Services: []models.Service{models.ServiceCDN, models.ServiceHosting, models.ServiceRegistrar, models.ServiceNetwork, models.ServiceNone},
		Analyst:  models.Role(k.Role).Allows(models.RoleAnalyst)}
	q := desk.CaseFilter{Status: f.Status, Category: f.Category, Service: f.Service, Domain: f.Domain,
		Limit: queuePageSize, Offset: (f.Page - 1) * queuePageSize}
	switch f.Assignee {
	case "", "all":
	case "mine":
		q.Assignee = k.Name
	case "none":
		q.Assignee = desk.AssigneeNone
	default:
		d.Errors.add("assignee", "Choose all, mine or unassigned.")
	}
	if f.Category != "" && !models.Category(f.Category).Valid() {
		d.Errors.add("category", "Unknown category.")
	}
	if f.Due != "" {
		t, err := time.Parse("2006-01-02", f.Due)
		if err != nil {
			d.Errors.add("due", "Enter a date like 2030-01-31.")
		} else {
			end := t.AddDate(0, 0, 1) // due on or before that day
			q.DeadlineBefore = &end
		}
	}
	for _, l := range []assigneeLink{{Value: "all", Label: "all"}, {Value: "mine", Label: "mine"}, {Value: "none", Label: "unassigned"}} {
		v := c.QueryParams()
		v.Del("page")
		v.Set("assignee", l.Value)
		if l.Value == "all" {
			v.Del("assignee")
		}
		l.URL, l.Current = "/console?"+v.Encode(), f.Assignee == l.Value || (f.Assignee == "" && l.Value == "all")
		d.AssigneeLinks = append(d.AssigneeLinks, l)
	}
	code := http.StatusOK
	if d.Errors.Any() {
		code = http.StatusBadRequest
	} else {
		cases, err := p.desk.QueryCases(c.Request().Context(), q)
		if err != nil {
			return err
		}
		d.Cases = cases
		if err := p.queueExtras(c, &d); err != nil {
			return err
		}
		if len(cases) == queuePageSize {
			v := c.QueryParams()
			v.Set("page", strconv.Itoa(f.Page+1))
			d.NextPage = "/console?" + v.Encode()
		}
	}
	return p.render(c, code, "queue", "Case queue", d)
}

// queueExtras adds what the queue shows beside the cases: who claimed
// them, the counts, and the bulk decision's choices.
func (p *Pages) queueExtras(c echo.Context, d *queueData) error {
	ctx := c.Request().Context()
	ids := make([]string, len(d.Cases))
	for i, cs := range d.Cases {
		ids[i] = cs.ID
	}
	var err error
	if d.Assigned, err = p.desk.Assignments(ctx, ids); err != nil {
		return err
	}
	if d.Summary, err = p.desk.Summary(ctx); err != nil {
		return err
	}
	if d.Summary.OldestOpen != nil {
		d.OldestAge = ageText(time.Duration(d.Summary.OldestOpenAgeSeconds) * time.Second)
	}
	d.Verdicts, d.Clauses = bulkVerdicts, clauseOptions()
	d.Back = c.Request().URL.RequestURI()
	return nil
}

// ageText says a duration the way a queue reads it: days and hours, or
// hours and minutes, or minutes.
func ageText(d time.Duration) string {
	switch {
	case d >= 24*time.Hour:
		return fmt.Sprintf("%dd %dh", int(d/(24*time.Hour)), int(d%(24*time.Hour)/time.Hour))
	case d >= time.Hour:
		return fmt.Sprintf("%dh %dm", int(d/time.Hour), int(d%time.Hour/time.Minute))
	default:
		return fmt.Sprintf("%dm", int(d/time.Minute))
	}
}
