package pages

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/abusedesk/abusedesk/desk"
)

// sendersPageSize is how many sender records the senders page lists.
const sendersPageSize = 200

// sendersData is what the senders page shows.
type sendersData struct {
	Senders  []desk.SenderView
	Drifting int
}

// sendersPage lists the email intake's senders by format (issue 14,
// format drift): their counts and last problems, drifting ones first and
// marked, so that a sender whose format changed is seen from its first
// such mail.
func (p *Pages) sendersPage(c echo.Context) error {
	rows, err := p.desk.Senders(c.Request().Context(), sendersPageSize)
	if err != nil {
		return err
	}
	d := sendersData{Senders: rows}
	for _, r := range rows {
		if r.Drifting {
			d.Drifting++
		}
	}
	return p.render(c, http.StatusOK, "drift", "Senders", d)
}
