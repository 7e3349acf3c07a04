// Package estimate answers "how long will the rest of this PDF, topic or
// backlog take me?" from the student's own counted reading. Pure: no
// database, no clock.
package estimate
