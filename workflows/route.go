package workflows

import (
	"go.temporal.io/sdk/workflow"

	"github.com/abusedesk/abusedesk/activities"
	"github.com/abusedesk/abusedesk/models"
)

// run is the case: classify the URLs, then take each service's path.
func (s *caseState) run(ctx workflow.Context) error {
	if done, err := s.classify(ctx); err != nil || done {
		return err
	}
	if len(s.targets) == 0 {
		return s.notOurCustomer(ctx)
	}
	if isNetworkCase(s.targets) {
		return s.network(ctx) // a report about an IP address (network.go)
	}
	var cdn, hosted, registrar []activities.Target
	for _, t := range s.targets {
		switch t.Service {
		case models.ServiceHosting:
			hosted = append(hosted, t)
		case models.ServiceRegistrar:
			registrar = append(registrar, t)
		case models.ServiceCDN:
			cdn = append(cdn, t)
		}
	}
	// The case's service is the one that needs the most of us.
	lead := s.targets[0]
	switch {
	case len(hosted) > 0:
		lead = hosted[0]
	case len(registrar) > 0:
		lead = registrar[0]
	case len(cdn) > 0:
		lead = cdn[0]
	}
	s.st.Service, s.st.Domain = lead.Service, lead.Domain
	if s.in.Category == models.CategoryCSAM {
		// CSAM is disabled at once: before the clearinghouse report and the
		// forwards, which may wait hours on a remote service.
		if len(hosted) > 0 {
			if err := s.objects(ctx, activities.ActDisableObjects, "disable-csam", hostedObjects(hosted), "csam"); err != nil {
				return err
			}
		}
		if err := s.reportToClearinghouse(ctx); err != nil {
			return err
		}
	}
	if len(cdn) > 0 {
		if err := s.forwardCDN(ctx, cdn); err != nil {
			return err
		}
	}
	switch {
	case len(hosted) > 0:
		return s.hostedContent(ctx, hosted)
	case len(registrar) > 0:
		return s.registrar(ctx, registrar)
	case len(cdn) > 0:
		return s.close(ctx, models.OutcomeForwarded)
	}
	return s.notOurCustomer(ctx)
}

// classify finds the case's targets and confirms receipt to the reporter
// without undue delay (DSA Art. 16(4)): while the URLs are classified, or,
// with versionNoticeBatch, right after, where a CDN case sends it with its
// forwards and is carried to its close here (done).
func (s *caseState) classify(ctx workflow.Context) (done bool, err error) {
	v := getVersion(ctx, changeLocalNotices, workflow.DefaultVersion, versionBatchClose)
	s.localNotices, s.batchNotices, s.batchClose = v >= 1, v >= versionNoticeBatch, v >= versionBatchClose
	var receipt workflow.Future
	if !s.batchNotices {
		receipt = s.notice(ctx, receiptNotice())
	}
	classified := false
	if s.batchClose && getVersion(ctx, changeClassifyForward, workflow.DefaultVersion, 1) == 1 {
		var err error
		if classified, done, err = s.classifyForward(ctx); done || err != nil {
			return done, err
		}
	}
	if !classified {
		var cls activities.ClassifyResult
		if err := workflow.ExecuteLocalActivity(withLocalDB(ctx), activities.ActClassify, activities.ClassifyInput{CaseID: s.in.CaseID}).Get(ctx, &cls); err != nil {
			return false, err
		}
		s.targets = cls.Targets
	}
	if s.batchNotices && !classified {
		if inlineCDN(s.in.Category, s.targets) {
			s.st.Service, s.st.Domain = models.ServiceCDN, s.targets[0].Domain
			if s.batchClose {
				return true, s.forwardAndClose(ctx)
			}
			if err := s.forwardCDN(ctx, s.targets, receiptNotice()); err != nil {
				return true, err
			}
			return true, s.close(ctx, models.OutcomeForwarded)
		}
	}
	if s.batchNotices {
		receipt = s.notice(ctx, receiptNotice())
	}
	return false, receipt.Get(ctx, nil)
}

// notOurCustomer replies to the reporter that no URL is on a customer's
// domain, and closes.
func (s *caseState) notOurCustomer(ctx workflow.Context) error {
	if err := s.notice(ctx, activities.NoticeInput{
		Step: "reporter-not-ours", Kind: activities.NoticeReporterNotOurs, Role: models.RoleReporter,
	}).Get(ctx, nil); err != nil {
		return err
	}
	return s.close(ctx, models.OutcomeNotOurCustomer)
}

// forwardCDN handles pass-through domains: the operator gets the complaint
// (per the category's forwarding rule), the hosting provider gets it with the
// origin IP, and the reporter learns whom to contact next. A list of more
// than BulkInlineMax domains (a bulk notice) fans out into ForwardBatch
// children (bulk.go) and the reporter gets a summary by provider.
func (s *caseState) forwardCDN(ctx workflow.Context, targets []activities.Target, first ...activities.NoticeInput) error {
	toOperator := activities.ForwardsToOperator(s.in.Category, s.in.ForwardToOperator)
	if len(targets) > BulkInlineMax &&
		getVersion(ctx, changeBulkFanOut, workflow.DefaultVersion, 1) == 1 {
		summary, err := s.forwardBulk(ctx, targets, toOperator)
		if err != nil {
			return err
		}
		return s.replyForwarded(ctx, targets[0].Domain, summary, toOperator).Get(ctx, nil)
	}
	// A few domains: the forwards and the reply to the reporter go out
	// together (the forwards are durable once scheduled), so a CDN case
	// closes after one round of notices.
	completedBefore := s.copyright.completed
	if err := waitAll(ctx, s.notices(ctx, activities.CDNNotices(targets, toOperator, first...))...); err != nil {
		return err
	}
	s.watchCopyrightCompletion(ctx, targets, toOperator, completedBefore)
	return nil
}

// replyForwarded tells the reporter whom the complaint went to and whom to
// contact next.
func (s *caseState) replyForwarded(ctx workflow.Context, domain, providers string, toOperator bool) workflow.Future {
	return s.notice(ctx, replyForwardedNotice(domain, providers, toOperator))
}

func replyForwardedNotice(domain, providers string, toOperator bool) activities.NoticeInput {
	return activities.ReplyForwardedNotice(domain, providers, toOperator)
}

// reportToClearinghouse opens the child-safety clearinghouse report of a
// CSAM case; the case cannot close before it is filed.
func (s *caseState) reportToClearinghouse(ctx workflow.Context) error {
	return workflow.ExecuteActivity(withDB(ctx), activities.ActFileClearinghouseReport, activities.ClearinghouseInput{
		CaseID: s.in.CaseID,
	}).Get(ctx, nil)
}
