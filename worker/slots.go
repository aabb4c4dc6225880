package worker

import (
	"context"
	"sync"

	sdkworker "go.temporal.io/sdk/worker"
)

// Slots are a worker's workflow-task slots: the SDK's fixed-size supplier,
// counted, so that a start can wait for a free one (WaitFree). A start from
// the client this worker shares hands the case's first workflow task to
// the worker only when a slot is free at that moment (eager dispatch);
// without one, the task goes through the task queue and costs a history
// write more. Waiting for a slot before the start keeps every start eager
// and the workflow tasks in flight bounded: a task runs its local
// activities on the application database, and many more of them at once
// only make each wait longer, until their timeouts fail them.
type Slots struct {
	inner sdkworker.SlotSupplier
	max   int

	mu   sync.Mutex
	held int
	// freed is closed, and replaced, whenever a slot is released.
	freed chan struct{}
}

// NewSlots returns n workflow-task slots.
func NewSlots(n int) (*Slots, error) {
	inner, err := sdkworker.NewFixedSizeSlotSupplier(n)
	if err != nil {
		return nil, err
	}
	return &Slots{inner: inner, max: n, freed: make(chan struct{})}, nil
}

var _ sdkworker.SlotSupplier = (*Slots)(nil)

// ReserveSlot implements sdkworker.SlotSupplier (a poller, before it polls).
func (s *Slots) ReserveSlot(ctx context.Context, info sdkworker.SlotReservationInfo) (*sdkworker.SlotPermit, error) {
	p, err := s.inner.ReserveSlot(ctx, info)
	if err == nil && p != nil {
		s.add(1)
	}
	return p, err
}

// TryReserveSlot implements sdkworker.SlotSupplier (an eager start).
func (s *Slots) TryReserveSlot(info sdkworker.SlotReservationInfo) *sdkworker.SlotPermit {
	p := s.inner.TryReserveSlot(info)
	if p != nil {
		s.add(1)
	}
	return p
}

// MarkSlotUsed implements sdkworker.SlotSupplier.
func (s *Slots) MarkSlotUsed(info sdkworker.SlotMarkUsedInfo) { s.inner.MarkSlotUsed(info) }

// ReleaseSlot implements sdkworker.SlotSupplier.
func (s *Slots) ReleaseSlot(info sdkworker.SlotReleaseInfo) {
	s.inner.ReleaseSlot(info)
	s.add(-1)
}

// MaxSlots implements sdkworker.SlotSupplier.
func (s *Slots) MaxSlots() int { return s.max }

// WaitFree returns once a slot is free (not reserved) or ctx ends.
func (s *Slots) WaitFree(ctx context.Context) error {
	for {
		s.mu.Lock()
		if s.held < s.max {
			s.mu.Unlock()
			return nil
		}
		freed := s.freed
		s.mu.Unlock()
		select {
		case <-freed:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

func (s *Slots) add(d int) {
	s.mu.Lock()
	s.held += d
	if d < 0 {
		close(s.freed)
		s.freed = make(chan struct{})
	}
	s.mu.Unlock()
}
