// Package importer is the KOReader import workflow (POST
// /api/v1/imports/koreader): an uploaded statistics.sqlite3 is read in a
// bounded child process (koreader.Reader), its books are matched to the
// user's PDFs (partial MD5 first, then title and page count; PDFs uploaded
// before partial MD5s were stored get theirs from the blob store on the
// first import), and each matched book's visits become study sessions
// through the timer's own checks and fold (study.Service.ImportSession),
// one transaction per book. Each import's summary is recorded in imports.
//
// # Ids and re-imports
//
// A session's id is a name-based UUID of the user, the PDF, the book (its
// partial MD5, else its title and authors) and its first visit's second;
// an event's id one of the user, the book, the KOReader page, its second
// and its type (koreader.EventID). Importing the same file again adds
// nothing; a later copy that holds the earlier rows adds only the new
// visits: a session continued within the session gap keeps its id and is
// extended, and when new visits join two stored sessions into one, the
// events already stored under either are found (by id, in the imported
// sessions of the PDF that overlap it in time) and left out. The timer
// would refuse events after a stop, so an imported session ends in a pause
// (ImportSession ends it at its last event).
//
// # Under the timer's rules
//
// Each visit is a page event at its start, heartbeats every 30 s (the
// least idle threshold the preferences allow, so no visit turns idle), and
// a pause at its end unless the next visit starts there. A visit's dwell
// is therefore its duration, and the timer counts it as it counts its own:
// below page_min_seconds a skim, capped at page_max_seconds. Two visits in
// a row without a gap that map to the same PDF page (a reflowed document
// with more pages than the PDF) are one dwell, as they would be in the
// timer. Visits ending after now (the timer refuses future events), and
// visits starting in the same second as another of their book, are skipped
// and counted.
package importer
