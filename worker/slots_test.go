package worker_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	sdkworker "go.temporal.io/sdk/worker"

	"github.com/abusedesk/abusedesk/worker"
)

// A start waits for a free workflow-task slot: WaitFree returns at once
// while one is free, blocks while every slot is reserved (by an eager
// start or a poller) and returns when one is released, or when its
// context ends.
func TestSlotsWaitFree(t *testing.T) {
	s, err := worker.NewSlots(2)
	require.NoError(t, err)
	require.Equal(t, 2, s.MaxSlots())
	ctx := context.Background()
	require.NoError(t, s.WaitFree(ctx))

	a := s.TryReserveSlot(sdkworker.SlotReservationInfo(nil))
	require.NotNil(t, a)
	b, err := s.ReserveSlot(ctx, sdkworker.SlotReservationInfo(nil))
	require.NoError(t, err)
	require.NotNil(t, b)
	require.Nil(t, s.TryReserveSlot(sdkworker.SlotReservationInfo(nil)), "both slots held")

	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	require.ErrorIs(t, s.WaitFree(short), context.DeadlineExceeded, "no slot free")

	free := make(chan error, 1)
	go func() { free <- s.WaitFree(ctx) }()
	select {
	case <-free:
		t.Fatal("WaitFree returned while every slot was held")
	case <-time.After(50 * time.Millisecond):
	}
	s.ReleaseSlot(sdkworker.SlotReleaseInfo(nil))
	select {
	case err := <-free:
		require.NoError(t, err)
	case <-time.After(5 * time.Second):
		t.Fatal("WaitFree did not return after a release")
	}
	require.NotNil(t, s.TryReserveSlot(sdkworker.SlotReservationInfo(nil)), "the released slot")
}
