package pages

import (
	"sort"

	"github.com/abusedesk/abusedesk/models"
)

// withDeliveries adds to a case's timeline what became of its notices
// after the case's workflow sent them: a bounce arrives later, by mail,
// and is handled by its own NoticeBounce workflow, so the case's history
// does not hold it. Each bounce is one entry at the time the DSN arrived,
// saying why it failed and where the notice went instead; the entries stay
// in time order (a stable sort keeps the history's own order).
func withDeliveries(es []entry, ds []models.NoticeDelivery) []entry {
	added := false
	for _, d := range ds {
		if d.BouncedAt == nil {
			continue
		}
		e := entry{At: d.BouncedAt.UTC(), Who: "mail system", What: "Notice " + d.NoticeID + " bounced", Kind: "failure"}
		e.Extra = d.BounceReason
		if d.State == models.NoticeRedirected && d.RedirectedTo != "" {
			e.What = "Notice " + d.NoticeID + " bounced; sent again as " + d.RedirectedTo
		}
		es = append(es, e)
		added = true
	}
	if added {
		sort.SliceStable(es, func(i, j int) bool { return es[i].At.Before(es[j].At) })
	}
	return es
}
