package server

import (
	"context"

	"github.com/abusedesk/abusedesk/models"
)

// loadDelivery adds to a case what became of its notices (bounced,
// redirected: the notice_deliveries rows) and the flags the bounces set
// (needs attention, reporter unreachable).
func (s *Server) loadDelivery(ctx context.Context, out *CaseJSON) error {
	db := s.DB.WithContext(ctx)
	var ds []models.NoticeDelivery
	if err := db.Where("case_id = ?", out.CaseID).Find(&ds).Error; err != nil {
		return err
	}
	byNotice := map[string]models.NoticeDelivery{}
	for _, d := range ds {
		byNotice[d.NoticeID] = d
	}
	for i, n := range out.Notices {
		if d, ok := byNotice[n.NoticeID]; ok {
			out.Notices[i].DeliveryState = models.DeliveryStateOf(models.Notice{Status: n.Status}, &d)
			out.Notices[i].BounceReason, out.Notices[i].RedirectedTo = d.BounceReason, d.RedirectedTo
		}
	}
	var flags []models.CaseFlag
	if err := db.Where("case_id = ?", out.CaseID).Order("created_at").Find(&flags).Error; err != nil {
		return err
	}
	for _, f := range flags {
		switch f.Kind {
		case models.FlagNeedsAttention:
			out.NeedsAttention = f.Reason
		case models.FlagReporterUnreachable:
			out.ReporterUnreachable = true
		}
	}
	return nil
}

// NoticeDeliveries are what became of a case's notices after they were
// sent (bounced, redirected), for the console's timeline.
func (s *Server) NoticeDeliveries(ctx context.Context, caseID string) ([]models.NoticeDelivery, error) {
	var ds []models.NoticeDelivery
	err := s.DB.WithContext(ctx).Where("case_id = ?", caseID).Order("bounced_at, notice_id").Find(&ds).Error
	return ds, err
}
