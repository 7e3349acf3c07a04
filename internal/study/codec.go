package study

import (
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"time"
)

// The stored form of a Checkpoint (study_sessions.checkpoint, bytea): a
// version byte, then every field as a varint (durations and offsets zigzag),
// the maps in key order. It is written on every batch, so it is compact — a
// few bytes per page and per bucket, a quarter of its JSON — and decoding
// is an allocation or two. MarshalBinary followed by UnmarshalBinary gives an
// equal checkpoint (a test and the fuzz target check it).

const codecVersion = 1

var errCodec = errors.New("study: malformed checkpoint")

// MarshalBinary encodes the checkpoint.
func (c Checkpoint) MarshalBinary() ([]byte, error) {
	b := make([]byte, 0, 64+len(c.Pages)*12+len(c.Buckets)*12)
	b = append(b, codecVersion)
	b = binary.AppendVarint(b, c.StartedAt.UnixMicro())
	flags := uint64(0)
	for i, f := range []bool{c.Stopped, c.Paused, c.Visit != nil} {
		if f {
			flags |= 1 << i
		}
	}
	b = binary.AppendUvarint(b, flags)
	for _, v := range []int64{c.Applied, int64(c.At), c.Seq, int64(c.Page), int64(c.Active), int64(c.PausedTime), int64(c.Idle), int64(c.Break),
		int64(c.Cycle), int64(c.WorkDone), int64(c.BreakEnd)} {
		b = binary.AppendVarint(b, v)
	}
	b = binary.AppendUvarint(b, uint64(len(c.Phase)))
	b = append(b, c.Phase...)
	if c.Visit != nil {
		b = binary.AppendVarint(b, int64(c.Visit.Start))
		b = binary.AppendVarint(b, int64(c.Visit.Dwell))
	}
	pages := make([]int32, 0, len(c.Pages))
	for p := range c.Pages {
		pages = append(pages, p)
	}
	slices.Sort(pages)
	b = binary.AppendUvarint(b, uint64(len(pages)))
	prev := int64(0)
	for _, p := range pages {
		ps := c.Pages[p]
		b = binary.AppendVarint(b, int64(p)-prev) // pages ascend: small deltas
		prev = int64(p)
		b = binary.AppendVarint(b, int64(ps.Read))
		b = binary.AppendVarint(b, int64(ps.Visits))
		b = binary.AppendVarint(b, int64(ps.First))
		b = binary.AppendVarint(b, int64(ps.Last))
	}
	keys := make([]int64, 0, len(c.Buckets))
	for k := range c.Buckets {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	b = binary.AppendUvarint(b, uint64(len(keys)))
	prev = 0
	for _, k := range keys {
		bs := c.Buckets[k]
		b = binary.AppendVarint(b, k-prev)
		prev = k
		b = binary.AppendVarint(b, int64(bs.Active))
		b = binary.AppendVarint(b, int64(bs.Read))
		b = binary.AppendVarint(b, int64(bs.Reads))
	}
	return b, nil
}

type decoder struct {
	b   []byte
	err error
}

func (d *decoder) varint() int64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.err = errCodec
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) uvarint(limit uint64) uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b)
	if n <= 0 || v > limit {
		d.err = errCodec
		return 0
	}
	d.b = d.b[n:]
	return v
}

// UnmarshalBinary decodes what MarshalBinary wrote; anything else is an error.
func (c *Checkpoint) UnmarshalBinary(data []byte) error {
	if len(data) == 0 || data[0] != codecVersion {
		return fmt.Errorf("%w: unknown version", errCodec)
	}
	d := &decoder{b: data[1:]}
	var out Checkpoint
	out.StartedAt = time.UnixMicro(d.varint()).UTC()
	flags := d.uvarint(7)
	out.Stopped, out.Paused = flags&1 != 0, flags&2 != 0
	out.Applied = d.varint()
	out.At = time.Duration(d.varint())
	out.Seq = d.varint()
	out.Page = int32(d.varint())
	out.Active = time.Duration(d.varint())
	out.PausedTime = time.Duration(d.varint())
	out.Idle = time.Duration(d.varint())
	out.Break = time.Duration(d.varint())
	out.Cycle = int(d.varint())
	out.WorkDone = time.Duration(d.varint())
	out.BreakEnd = time.Duration(d.varint())
	n := d.uvarint(32)
	if d.err == nil {
		if uint64(len(d.b)) < n {
			d.err = errCodec
		} else {
			out.Phase = Phase(d.b[:n])
			d.b = d.b[n:]
		}
	}
	if flags&4 != 0 {
		out.Visit = &Visit{Start: time.Duration(d.varint()), Dwell: time.Duration(d.varint())}
	}
	if np := d.uvarint(uint64(len(d.b))); np > 0 {
		out.Pages = make(map[int32]PageState, np)
		page := int64(0)
		for range np {
			page += d.varint()
			out.Pages[int32(page)] = PageState{
				Read: time.Duration(d.varint()), Visits: int(d.varint()), First: time.Duration(d.varint()), Last: time.Duration(d.varint()),
			}
		}
	}
	if nb := d.uvarint(uint64(len(d.b))); nb > 0 {
		out.Buckets = make(map[int64]BucketState, nb)
		k := int64(0)
		for range nb {
			k += d.varint()
			out.Buckets[k] = BucketState{Active: time.Duration(d.varint()), Read: time.Duration(d.varint()), Reads: int(d.varint())}
		}
	}
	if d.err != nil {
		return d.err
	}
	if len(d.b) != 0 {
		return fmt.Errorf("%w: trailing bytes", errCodec)
	}
	*c = out
	return nil
}
