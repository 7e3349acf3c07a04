package loadtest

import "testing"

func TestReplaceSection(t *testing.T) {
	const b, e = SectionBegin, SectionEnd
	for _, tc := range []struct {
		name, doc, body, want string
		fail                  bool
	}{
		{name: "replaces between the markers, keeps the rest",
			doc:  "# Benchmarks\n\nintro\n\n" + b + "\nold\ntable\n" + e + "\n\n## Later\n",
			body: "new\n",
			want: "# Benchmarks\n\nintro\n\n" + b + "\nnew\n" + e + "\n\n## Later\n"},
		{name: "empty section",
			doc: "x\n" + b + e + "\ny\n", body: "body",
			want: "x\n" + b + "\nbody\n" + e + "\ny\n"},
		{name: "appends when there are no markers",
			doc: "# Benchmarks\n\nintro", body: "body\n",
			want: "# Benchmarks\n\nintro\n\n" + b + "\nbody\n" + e + "\n"},
		{name: "empty document",
			doc: "", body: "body",
			want: b + "\nbody\n" + e + "\n"},
		{name: "end before begin", doc: e + "\n" + b + "\n", fail: true},
		{name: "two sections", doc: b + e + b + e, fail: true},
		{name: "begin only", doc: "x " + b, fail: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ReplaceSection(tc.doc, tc.body)
			if tc.fail {
				if err == nil {
					t.Fatalf("accepted: %q", got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Fatalf("got\n%q\nwant\n%q", got, tc.want)
			}
			// Rewriting again with the same body changes nothing.
			again, err := ReplaceSection(got, tc.body)
			if err != nil || again != got {
				t.Fatalf("second rewrite differs: %q (%v)", again, err)
			}
		})
	}
}
