package desk

import (
	"context"
	"strings"

	"github.com/abusedesk/abusedesk/models"
	"github.com/abusedesk/abusedesk/store"
)

// withChoices adds the reporter's notification choices (README "The
// reporter's choices") to the timeline's "Case opened" entry: they are
// the case's, not the workflow's, so the history does not carry them. A
// case that cannot be read leaves the timeline as it is.
func (d *Desk) withChoices(ctx context.Context, caseID string, entries []TimelineEntry) {
	cs, err := store.Case(ctx, d.DB, caseID)
	if err != nil {
		return
	}
	line := ChoicesLine(cs)
	for i := range entries {
		if entries[i].Kind == "case" && entries[i].What == "Case opened" {
			if entries[i].Extra != "" {
				entries[i].Extra += "; "
			}
			entries[i].Extra += line
			return
		}
	}
}

// ChoicesLine tells a case's notification choices in one line, as the
// timeline and the case page show them: "notifications: operator
// send-anon, hosting provider send-anon".
func ChoicesLine(cs models.Case) string {
	var parts []string
	for _, p := range []struct {
		who string
		n   models.Notification
	}{{"operator", cs.OwnerNotification}, {"hosting provider", cs.HostNotification}, {"clearinghouse", cs.NcmecNotification}} {
		if p.n != "" {
			parts = append(parts, p.who+" "+string(p.n))
		}
	}
	if len(parts) == 0 {
		return "notifications: as the category sends them"
	}
	return "notifications: " + strings.Join(parts, ", ")
}
