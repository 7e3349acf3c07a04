package study

import (
	"testing"
)

// FuzzCheckpointDecode: any bytes either decode to a checkpoint that
// encodes back to the same bytes, or are an error; never a panic.
func FuzzCheckpointDecode(f *testing.F) {
	good, _ := NewCheckpoint(defaultRules, t0, 3).MarshalBinary()
	f.Add(good)
	f.Add([]byte{})
	f.Add([]byte{codecVersion})
	f.Add([]byte{2, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		var c Checkpoint
		if err := c.UnmarshalBinary(data); err != nil {
			return
		}
		again, err := c.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		var back Checkpoint
		if err := back.UnmarshalBinary(again); err != nil {
			t.Fatalf("re-encoded checkpoint does not decode: %v", err)
		}
	})
}
