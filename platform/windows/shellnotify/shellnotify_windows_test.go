//go:build windows

package shellnotify

import (
	"bytes"
	"errors"
	"testing"

	"github.com/plugfs/plugfs/core"
	"github.com/plugfs/plugfs/platform/windows/session"
)

func TestEncodeVolumeBytes(t *testing.T) {
	for _, tc := range []struct {
		letter byte
		net    bool
		want   []byte
	}{
		{'A', false, []byte{20, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0x01, 0, 0, 0, 0, 0, 0, 0}},
		{'X', false, []byte{20, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x80, 0, 0, 0, 0, 0}},
		{'x', true, []byte{20, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x80, 0, 2, 0, 0, 0}},
		{'Z', true, []byte{20, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02, 2, 0, 0, 0}},
	} {
		got, err := EncodeVolume(tc.letter, tc.net)
		if err != nil || !bytes.Equal(got, tc.want) {
			t.Errorf("EncodeVolume(%c, %v) = % x, %v; want % x", tc.letter, tc.net, got, err, tc.want)
		}
	}
	for _, l := range []byte{0, '1', '@', '[', ':'} {
		if _, err := EncodeVolume(l, false); !errors.Is(err, core.ErrMountPointInvalid) {
			t.Errorf("EncodeVolume(%q) = %v", l, err)
		}
	}
}

func TestConstants(t *testing.T) {
	if BroadcastFlags != 0x12 {
		t.Errorf("BroadcastFlags = %#x, want BSF_POSTMESSAGE|BSF_IGNORECURRENTTASK (0x12)", BroadcastFlags)
	}
	if Recipients(false) != 0x08 || Recipients(true) != 0x18 {
		t.Errorf("Recipients = %#x, %#x; want 0x08, 0x18", Recipients(false), Recipients(true))
	}
	if WMDeviceChange != 0x219 || DBTDeviceArrival != 0x8000 || DBTDeviceRemoveComplete != 0x8004 ||
		SHCNEDriveAdd != 0x100 || SHCNEDriveRemoved != 0x80 || SHCNFPathW != 5 {
		t.Error("a winuser.h/dbt.h/shlobj_core.h value is wrong")
	}
}

// TestAnnounceForReal executes BroadcastSystemMessageW and SHChangeNotify
// (Wine runs both and reports success; see the package comment) for a
// letter no drive uses, as arrival and then removal, local and network.
func TestAnnounceForReal(t *testing.T) {
	sys, err := session.IsLocalSystem()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("recipients %#x", Recipients(sys))
	for _, net := range []bool{false, true} {
		for _, ev := range []Event{Arrival, Removal} {
			if err := Broadcast('Q', ev, net); err != nil {
				t.Errorf("Broadcast(Q:, %v, net %v) = %v", ev, net, err)
			}
			if err := Shell('Q', ev); err != nil {
				t.Errorf("Shell(Q:, %v) = %v", ev, err)
			}
			if err := Drive('q', ev, net); err != nil {
				t.Errorf("Drive(q:, %v, net %v) = %v", ev, net, err)
			}
		}
	}
	if err := Drive('7', Arrival, false); !errors.Is(err, core.ErrMountPointInvalid) {
		t.Errorf("Drive(7) = %v", err)
	}
}
