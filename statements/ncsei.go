package statements

import "strings"

// ncseiDeadlineGround is the ground of the restriction an ncsei case's
// removal clock applies when no analyst decided within 48 hours (the
// reason workflows.NCSEIDeadlineReason; a copy's starts "identical copy").
const ncseiDeadlineGround = "disabled pending review at the TAKE IT DOWN Act's 48-hour deadline"

// atNCSEIDeadline: the restriction is the ncsei clock's, at the deadline.
func atNCSEIDeadline(f Facts) bool { return strings.HasSuffix(f.Reason, ncseiDeadlineGround) }

// ncseiDeadlineFacts says why access was disabled before a decision.
func ncseiDeadlineFacts(f Facts) string {
	s := "No analyst had decided on the notice by the TAKE IT DOWN Act's 48-hour removal deadline, so access to it was " +
		ncseiDeadlineGround + "; an analyst reviews the decision. "
	if strings.HasPrefix(f.Reason, "identical copy") {
		s = "It is a known identical copy (same content hash) of the reported content. " + s
	}
	return s
}
