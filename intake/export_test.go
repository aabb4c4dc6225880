package intake

// QueuedStarts is how many stored cases wait in s's start queue.
func QueuedStarts(s *Service) int {
	if s.starts == nil {
		return 0
	}
	return len(s.starts.cases)
}

// HoldIntake marks a report as being stored in s until the returned
// release is called (the background starts wait for it).
func HoldIntake(s *Service) (release func()) {
	s.intake.enter()
	return s.intake.leave
}
