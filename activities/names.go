package activities

import "go.temporal.io/sdk/activity"

// Stable activity names. Workflows call activities by these and the worker
// registers each method under one, so renaming a Go method never breaks a
// running case or a recorded history. The values are the method names the
// activities were registered under before the constants existed: they are
// in every history written since, and must never change.
const (
	ActClassify                = "Classify"
	ActSendNotice              = "SendNotice"
	ActSetStatus               = "SetStatus"
	ActRecordDecision          = "RecordDecision"
	ActDisableObjects          = "DisableObjects"
	ActRestoreObjects          = "RestoreObjects"
	ActRemoveObjects           = "RemoveObjects"
	ActRecordStrike            = "RecordStrike"
	ActSetDomainStatus         = "SetDomainStatus"
	ActFileClearinghouseReport = "FileClearinghouseReport"
	ActAccountHistory          = "AccountHistory"
	ActTerminateAccount        = "TerminateAccount"
	ActSetReviewStatus         = "SetReviewStatus"
	ActErasePersonalData       = "ErasePersonalData"
	ActRecordBounce            = "RecordBounce"
	ActHandleBouncedNotice     = "HandleBouncedNotice"
	// ActApplyMitigation and ActChangeMitigation: the Mitigation workflow's
	// record and its lifecycle (mitigations.go).
	ActApplyMitigation  = "ApplyMitigation"
	ActChangeMitigation = "ChangeMitigation"
	// ActResolveOrder, ActRecordOrderStep, ActSendOrderNotice: the Order
	// workflow of an order from an authority (orders.go).
	ActResolveOrder    = "ResolveOrder"
	ActRecordOrderStep = "RecordOrderStep"
	ActSendOrderNotice = "SendOrderNotice"
	// ActRecordReferral, ActSendReferralNotice, ActRecordReferralSent: the
	// Referral workflow of a referral to an authority (referral.go).
	ActRecordReferral     = "RecordReferral"
	ActSendReferralNotice = "SendReferralNotice"
	ActRecordReferralSent = "RecordReferralSent"
	// ActFindIdenticalCopies and ActEscalateCase: the ncsei 48-hour clock
	// (ncsei.go).
	ActFindIdenticalCopies = "FindIdenticalCopies"
	ActEscalateCase        = "EscalateCase"
	// ActSendNotices: several notices of one case step in one activity
	// (notices_batch.go).
	ActSendNotices = "SendNotices"
	// ActClassifyForward: Classify and, for a CDN case handled whole, its
	// notices and close in one activity (cdn_forward.go).
	ActClassifyForward = "ClassifyForward"
)

// Registrar is what a worker, a replayer and a test environment register
// activities on.
type Registrar interface {
	RegisterActivityWithOptions(a interface{}, options activity.RegisterOptions)
}

// Named pairs each activity of a with its stable name. (A function, not a
// method: every exported method of *Activities is an activity, which
// names_test.go checks.)
func Named(a *Activities) map[string]any {
	return map[string]any{
		ActClassify:                a.Classify,
		ActSendNotice:              a.SendNotice,
		ActSetStatus:               a.SetStatus,
		ActRecordDecision:          a.RecordDecision,
		ActDisableObjects:          a.DisableObjects,
		ActRestoreObjects:          a.RestoreObjects,
		ActRemoveObjects:           a.RemoveObjects,
		ActRecordStrike:            a.RecordStrike,
		ActSetDomainStatus:         a.SetDomainStatus,
		ActFileClearinghouseReport: a.FileClearinghouseReport,
		ActAccountHistory:          a.AccountHistory,
		ActTerminateAccount:        a.TerminateAccount,
		ActSetReviewStatus:         a.SetReviewStatus,
		ActErasePersonalData:       a.ErasePersonalData,
		ActRecordBounce:            a.RecordBounce,
		ActHandleBouncedNotice:     a.HandleBouncedNotice,
		ActApplyMitigation:         a.ApplyMitigation,
		ActChangeMitigation:        a.ChangeMitigation,
		ActResolveOrder:            a.ResolveOrder,
		ActRecordOrderStep:         a.RecordOrderStep,
		ActSendOrderNotice:         a.SendOrderNotice,
		ActRecordReferral:          a.RecordReferral,
		ActSendReferralNotice:      a.SendReferralNotice,
		ActRecordReferralSent:      a.RecordReferralSent,
		ActFindIdenticalCopies:     a.FindIdenticalCopies,
		ActEscalateCase:            a.EscalateCase,
		ActSendNotices:             a.SendNotices,
		ActClassifyForward:         a.ClassifyForward,
	}
}

// Register registers every activity of a under its stable name.
func Register(r Registrar, a *Activities) {
	for name, fn := range Named(a) {
		r.RegisterActivityWithOptions(fn, activity.RegisterOptions{Name: name})
	}
}
