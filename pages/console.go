package pages

import (
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
}

// queueFilter is the queue's filter form, as submitted.
type queueFilter struct {
	Status, Category, Service, Domain, Due string
	Page                                   int
}

var allStatuses = []models.Status{models.StatusReceived, models.StatusClassifying, models.StatusForwarding,
	models.StatusAwaitingAnalyst, models.StatusAwaitingReporter, models.StatusAwaitingOperator, models.StatusDisputed,
	models.StatusCounterNotice, models.StatusRegistrarReview, models.StatusAwaitingRegistrant, models.StatusClosed}

// queue lists cases in queue order (CSAM first, then by next deadline,
// then oldest) with the filters of GET /v1/cases.
func (p *Pages) queue(c echo.Context) error {
	f := queueFilter{Status: c.QueryParam("status"), Category: c.QueryParam("category"),
		Service: c.QueryParam("service"), Domain: strings.TrimSpace(c.QueryParam("domain")), Due: c.QueryParam("due")}
	if f.Status == "" {
		f.Status = "open"
	}
	f.Page, _ = strconv.Atoi(c.QueryParam("page"))
	f.Page = max(f.Page, 1)
	k, _ := c.Get(ctxUser).(config.APIKey)
	d := queueData{Filter: f, Errors: fieldErrors{}, Statuses: allStatuses, Cats: models.Categories,
		Services: []models.Service{models.ServiceCDN, models.ServiceHosting, models.ServiceRegistrar, models.ServiceNone},
		Analyst:  models.Role(k.Role).Allows(models.RoleAnalyst)}
	q := desk.CaseFilter{Status: f.Status, Category: f.Category, Service: f.Service, Domain: f.Domain,
		Limit: queuePageSize, Offset: (f.Page - 1) * queuePageSize}
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
	code := http.StatusOK
	if d.Errors.Any() {
		code = http.StatusBadRequest
	} else {
		cases, err := p.desk.QueryCases(c.Request().Context(), q)
		if err != nil {
			return err
		}
		d.Cases = cases
		if len(cases) == queuePageSize {
			v := c.QueryParams()
			v.Set("page", strconv.Itoa(f.Page+1))
			d.NextPage = "/console?" + v.Encode()
		}
	}
	return p.render(c, code, "queue", "Case queue", d)
}
