package intake

// QueuedStarts is how many stored cases wait in s's start queue.
func QueuedStarts(s *Service) int {
	if s.starts == nil {
		return 0
	}
	return len(s.starts.cases)
}
