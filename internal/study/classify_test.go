package study

import (
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"
)

func TestClassify(t *testing.T) {
	id := func(n byte) uuid.UUID { return uuid.UUID{15: n} }
	now := t0.Add(time.Hour)
	at := func(s int) time.Time { return t0.Add(sec(s)) }
	in := func(n byte, typ string, page int32, s int) Incoming {
		return Incoming{ID: id(n), Type: typ, Page: page, At: at(s)}
	}
	stoppedAt := at(1000)
	stored := map[uuid.UUID]Event{
		id(1): {ID: id(1), Type: EventPage, Page: 3, At: at(100), Seq: 1},
		id(2): {ID: id(2), Type: EventHeartbeat, At: at(200), Seq: 2},
	}
	cases := []struct {
		name     string
		in       []Incoming
		existing map[uuid.UUID]Event
		stopped  *time.Time
		want     Verdict
	}{
		{
			name: "accepted, in order",
			in:   []Incoming{in(10, "page", 4, 300), in(11, "heartbeat", 0, 310), in(12, "pause", 0, 320), in(13, "resume", 0, 330), in(14, "stop", 0, 340)},
			want: Verdict{Accepted: []Incoming{in(10, "page", 4, 300), in(11, "heartbeat", 0, 310), in(12, "pause", 0, 320), in(13, "resume", 0, 330), in(14, "stop", 0, 340)}},
		},
		{
			name: "unknown type",
			in:   []Incoming{in(10, "nap", 0, 300), in(11, "", 0, 300), in(12, "Page", 2, 300)},
			want: Verdict{Rejected: []Rejection{{id(10), RejectUnknownType}, {id(11), RejectUnknownType}, {id(12), RejectUnknownType}}},
		},
		{
			name: "page out of range",
			in:   []Incoming{in(10, "page", 0, 300), in(11, "page", 11, 300), in(12, "page", -1, 300), in(13, "page", 10, 300), in(14, "page", 1, 300)},
			want: Verdict{
				Accepted: []Incoming{in(13, "page", 10, 300), in(14, "page", 1, 300)},
				Rejected: []Rejection{{id(10), RejectPageOutOfRange}, {id(11), RejectPageOutOfRange}, {id(12), RejectPageOutOfRange}},
			},
		},
		{
			name: "the type is checked before the page",
			in:   []Incoming{in(10, "nap", 99, 300)},
			want: Verdict{Rejected: []Rejection{{id(10), RejectUnknownType}}},
		},
		{
			name: "a non-page event's page is not checked, and is stored as 0",
			in:   []Incoming{in(10, "heartbeat", 99, 300)},
			want: Verdict{Accepted: []Incoming{in(10, "heartbeat", 0, 300)}},
		},
		{
			name: "in the future: up to MaxFutureSkew is accepted",
			in: []Incoming{
				{ID: id(10), Type: "heartbeat", At: now.Add(MaxFutureSkew)},
				{ID: id(11), Type: "heartbeat", At: now.Add(MaxFutureSkew + time.Microsecond)},
			},
			want: Verdict{
				Accepted: []Incoming{{ID: id(10), Type: "heartbeat", At: now.Add(MaxFutureSkew)}},
				Rejected: []Rejection{{id(11), RejectInFuture}},
			},
		},
		{
			name: "before the start; the start itself is accepted",
			in:   []Incoming{{ID: id(10), Type: "heartbeat", At: t0.Add(-time.Microsecond)}, {ID: id(11), Type: "page", Page: 1, At: t0}},
			want: Verdict{Accepted: []Incoming{{ID: id(11), Type: "page", Page: 1, At: t0}}, Rejected: []Rejection{{id(10), RejectBeforeStart}}},
		},
		{
			name: "after a stored stop; at the stop is accepted", stopped: &stoppedAt,
			in:   []Incoming{in(10, "heartbeat", 0, 1001), in(11, "heartbeat", 0, 1000), in(12, "page", 2, 999)},
			want: Verdict{Accepted: []Incoming{in(11, "heartbeat", 0, 1000), in(12, "page", 2, 999)}, Rejected: []Rejection{{id(10), RejectAfterStop}}},
		},
		{
			name: "a stop earlier in the batch bounds the rest",
			in:   []Incoming{in(10, "heartbeat", 0, 500), in(11, "stop", 0, 400), in(12, "page", 2, 450), in(13, "stop", 0, 420), in(14, "heartbeat", 0, 410)},
			want: Verdict{
				Accepted: []Incoming{in(10, "heartbeat", 0, 500), in(11, "stop", 0, 400)},
				Rejected: []Rejection{{id(12), RejectAfterStop}, {id(13), RejectAfterStop}, {id(14), RejectAfterStop}},
			},
		},
		{
			name: "a late stop before the stored one moves the bound", stopped: &stoppedAt,
			in:   []Incoming{in(10, "stop", 0, 600), in(11, "heartbeat", 0, 700), in(12, "heartbeat", 0, 600)},
			want: Verdict{Accepted: []Incoming{in(10, "stop", 0, 600), in(12, "heartbeat", 0, 600)}, Rejected: []Rejection{{id(11), RejectAfterStop}}},
		},
		{
			name: "a stop after the stored one is after the stop", stopped: &stoppedAt,
			in:   []Incoming{in(10, "stop", 0, 1100)},
			want: Verdict{Rejected: []Rejection{{id(10), RejectAfterStop}}},
		},
		{
			name: "duplicates of stored events", existing: stored,
			in: []Incoming{
				in(1, "page", 3, 100),
				{ID: id(2), Type: "heartbeat", Page: 7, At: at(200).Add(999).In(time.FixedZone("X", 3600))},
			},
			want: Verdict{Duplicates: []uuid.UUID{id(1), id(2)}},
		},
		{
			name: "conflicting duplicates of stored events", existing: stored,
			in:   []Incoming{in(1, "page", 4, 100), in(2, "pause", 0, 200), in(1, "page", 3, 101)},
			want: Verdict{Rejected: []Rejection{{id(1), RejectConflictingDuplicate}, {id(2), RejectConflictingDuplicate}, {id(1), RejectConflictingDuplicate}}},
		},
		{
			name: "duplicates inside the batch",
			in:   []Incoming{in(10, "page", 2, 300), in(10, "page", 2, 300), in(11, "heartbeat", 0, 310), in(10, "page", 5, 300), in(11, "heartbeat", 0, 311)},
			want: Verdict{
				Accepted:   []Incoming{in(10, "page", 2, 300), in(11, "heartbeat", 0, 310)},
				Duplicates: []uuid.UUID{id(10)},
				Rejected:   []Rejection{{id(10), RejectConflictingDuplicate}, {id(11), RejectConflictingDuplicate}},
			},
		},
		{
			name: "a rejected event claims no id",
			in:   []Incoming{in(10, "page", 99, 300), in(10, "page", 2, 300)},
			want: Verdict{Accepted: []Incoming{in(10, "page", 2, 300)}, Rejected: []Rejection{{id(10), RejectPageOutOfRange}}},
		},
		{
			name: "a resent event now after a late stop is after the stop", existing: stored, stopped: &[]time.Time{at(150)}[0],
			in:   []Incoming{in(2, "heartbeat", 0, 200), in(1, "page", 3, 100)},
			want: Verdict{Duplicates: []uuid.UUID{id(1)}, Rejected: []Rejection{{id(2), RejectAfterStop}}},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := Classify(tc.in, tc.existing, t0, tc.stopped, 10, now)
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got  %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

// Accepted events are stored as the database keeps them.
func TestClassifyNormalises(t *testing.T) {
	zone := time.FixedZone("UTC-3:30", -(3*3600 + 1800))
	raw := t0.Add(sec(5) + 123456789).In(zone)
	v := Classify([]Incoming{{ID: uuid.Max, Type: "pause", Page: 4, At: raw}}, nil, t0.Add(999).In(zone), nil, 10, t0.Add(time.Hour))
	if len(v.Accepted) != 1 {
		t.Fatalf("%+v", v)
	}
	if got := v.Accepted[0]; got.At != t0.Add(sec(5)+123456000) || got.Page != 0 {
		t.Errorf("accepted %+v (%v)", got, got.At.Location())
	}
}

func TestSplitSeconds(t *testing.T) {
	ms := func(n int) time.Duration { return time.Duration(n) * time.Millisecond }
	cases := []struct {
		in   []time.Duration
		want []int64
	}{
		{nil, []int64{}},
		{[]time.Duration{0}, []int64{0}},
		{[]time.Duration{ms(499)}, []int64{0}},
		{[]time.Duration{ms(500)}, []int64{1}},
		{[]time.Duration{ms(1500), ms(1500)}, []int64{2, 1}},           // 3 s; the earlier takes the tie
		{[]time.Duration{ms(400), ms(400), ms(400)}, []int64{1, 0, 0}}, // 1.2 s rounds to 1
		{[]time.Duration{ms(400), ms(400), ms(700)}, []int64{1, 0, 1}}, // 1.5 s rounds to 2; the earlier 400 takes the tie
		{[]time.Duration{ms(333), ms(333), ms(334)}, []int64{0, 0, 1}},
		{[]time.Duration{sec(59) + ms(600), sec(30) + ms(300), sec(10) + ms(100)}, []int64{60, 30, 10}},
		{[]time.Duration{sec(7), ms(200), sec(2) + ms(900)}, []int64{7, 0, 3}},
		{[]time.Duration{ms(100), ms(100), ms(100), ms(100), ms(100)}, []int64{1, 0, 0, 0, 0}},
		{[]time.Duration{ms(100), ms(100), ms(100), ms(100)}, []int64{0, 0, 0, 0}},
		{[]time.Duration{ms(-1500), sec(3)}, []int64{-1, 3}}, // -1.5 s floors to -2 with 0.5 s over
	}
	for _, tc := range cases {
		if got := SplitSeconds(tc.in...); !slices.Equal(got, tc.want) {
			t.Errorf("SplitSeconds(%v) = %v, want %v", tc.in, got, tc.want)
		}
	}
	// The parts always add up to the rounded total, each its floor or ceiling.
	rng := rand.New(rand.NewPCG(7, 11))
	for range 2000 {
		parts := make([]time.Duration, rng.IntN(12))
		var total time.Duration
		for i := range parts {
			parts[i] = time.Duration(rng.Int64N(int64(10 * time.Hour)))
			total += parts[i]
		}
		got := SplitSeconds(parts...)
		var sum int64
		for i, s := range got {
			if floor := int64(parts[i] / time.Second); s != floor && s != floor+1 {
				t.Fatalf("part %v became %d", parts[i], s)
			}
			sum += s
		}
		if want := int64((total + time.Second/2) / time.Second); sum != want {
			t.Fatalf("SplitSeconds(%v) sums to %d, want %d", parts, sum, want)
		}
	}
}

func TestEnums(t *testing.T) {
	for _, typ := range EventTypes {
		if !typ.Valid() {
			t.Errorf("%q not valid", typ)
		}
	}
	for _, typ := range []EventType{"", "Page", "nap", "page "} {
		if typ.Valid() {
			t.Errorf("%q valid", typ)
		}
	}
	lists := map[string][]string{
		"event types":    toStrings(EventTypes),
		"end reasons":    toStrings(EndReasons),
		"statuses":       toStrings(Statuses),
		"phases":         toStrings(Phases),
		"reject reasons": toStrings(RejectReasons),
	}
	want := map[string]int{"event types": 5, "end reasons": 3, "statuses": 3, "phases": 3, "reject reasons": 6}
	for name, l := range lists {
		if len(l) != want[name] || len(slices.Compact(slices.Sorted(slices.Values(l)))) != len(l) {
			t.Errorf("%s: %v", name, l)
		}
	}
}

func toStrings[S ~string](l []S) []string {
	out := make([]string, len(l))
	for i, s := range l {
		out[i] = string(s)
	}
	return out
}
