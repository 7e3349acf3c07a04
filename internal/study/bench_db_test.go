package study_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/studysprint/studysprint/internal/study"
	"github.com/studysprint/studysprint/internal/testdb"
)

// BenchmarkIngestBatch: one session, batches of 100 events in time order
// (page turns every 45 s, heartbeats), straight through the workflow and
// the database, one after the other: the cost of one batch.
//
//	go test -run '^$' -bench BenchmarkIngestBatch -benchtime 300x ./internal/study/
func BenchmarkIngestBatch(b *testing.B) {
	pool := testdb.Sized(b, 4)
	ctx := context.Background()
	userID, pdfID := fixture(b, pool, 400)
	clk := &clock{t: time.Now().UTC()}
	svc := study.NewService(pool, clk.now, nil)
	start := clk.t.Add(-90 * 24 * time.Hour)
	st, err := svc.Start(ctx, userID, study.StartInput{PDFID: &pdfID, StartedAt: &start, StartPage: ptr(int32(1))})
	if err != nil {
		b.Fatal(err)
	}
	n := 0
	for b.Loop() {
		batch := make([]study.Incoming, 100)
		for k := range batch {
			e := study.Incoming{ID: uuid.New(), Type: "heartbeat", At: start.Add(time.Duration(n) * 15 * time.Second)}
			if n%3 == 2 {
				e.Type, e.Page = "page", int32(1+(n/3)%400)
			}
			batch[k] = e
			n++
		}
		r, err := svc.Ingest(ctx, userID, st.Row.ID, batch)
		if err != nil || len(r.Accepted) != 100 {
			b.Fatalf("%v, %d accepted", err, len(r.Accepted))
		}
	}
}
