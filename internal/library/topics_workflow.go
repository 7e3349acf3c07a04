package library

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/studysprint/studysprint/dbgen"
	"github.com/studysprint/studysprint/internal/apperr"
)

// TopicInput is a new topic; nil fields take their defaults.
type TopicInput struct {
	Name               string
	Description, Color *string
	ParentID           *uuid.UUID
	SortOrder          *int32
	TargetDate         *string
}

// CreateTopic validates and creates a topic, under the user's topic-tree
// lock so the parent's depth cannot change meanwhile.
func (s *Service) CreateTopic(ctx context.Context, userID uuid.UUID, in TopicInput) (dbgen.Topic, error) {
	params := dbgen.CreateTopicParams{UserID: userID, ParentID: in.ParentID, Color: DefaultTopicColor}
	fe := apperr.Fields{}
	var err error
	params.Name, err = NormalizeName(in.Name)
	fe.Check("name", err)
	if in.Description != nil {
		params.Description, err = NormalizeDescription(*in.Description)
		fe.Check("description", err)
	}
	if in.Color != nil {
		params.Color, err = NormalizeColor(*in.Color)
		fe.Check("color", err)
	}
	if in.SortOrder != nil {
		fe.Check("sort_order", CheckSortOrder(*in.SortOrder))
		params.SortOrder = *in.SortOrder
	}
	if in.TargetDate != nil {
		d, err := ParseDate(*in.TargetDate)
		fe.Check("target_date", err)
		params.TargetDate = &d
	}
	if err := fe.Err(); err != nil {
		return dbgen.Topic{}, err
	}
	var topic dbgen.Topic
	err = s.inTx(ctx, func(q *dbgen.Queries) error {
		if err := q.LockTopicTree(ctx, userID); err != nil {
			return err
		}
		if in.ParentID != nil {
			if err := checkPlacement(ctx, q, userID, *in.ParentID, nil, 1); err != nil {
				return err
			}
		}
		params.Now = s.now()
		var err error
		topic, err = q.CreateTopic(ctx, params)
		return err
	})
	return topic, err
}

// checkPlacement checks that a subtree of the given height (rooted at
// moving, nil for a new topic) may go under parentID: the parent exists, is
// the user's, is not archived, is not inside the subtree, and the result is
// at most MaxTopicDepth deep. Call it holding the topic-tree lock.
func checkPlacement(ctx context.Context, q *dbgen.Queries, userID, parentID uuid.UUID, moving *uuid.UUID, height int) error {
	parent, err := q.GetTopic(ctx, dbgen.GetTopicParams{ID: parentID, UserID: userID})
	if errors.Is(err, pgx.ErrNoRows) {
		return apperr.Field("parent_id", "no such topic")
	}
	if err != nil {
		return err
	}
	if parent.ArchivedAt != nil {
		return errParentArchived
	}
	anc, err := q.GetTopicAncestry(ctx, dbgen.GetTopicAncestryParams{TopicID: parentID, UserID: userID, Candidate: moving})
	if err != nil {
		return err
	}
	if err := CheckPlacement(int(anc.Depth), height, anc.HasCandidate); err != nil {
		return apperr.Field("parent_id", err.Error())
	}
	return nil
}

var errParentArchived = apperr.New(apperr.Conflict, "parent_archived", "the parent topic is archived; restore it first")

// TopicChange holds the fields to change. ParentSet with a nil ParentID
// moves the topic to the top level; TargetDateSet with a nil TargetDate
// clears it.
type TopicChange struct {
	Name, Description, Color *string
	SortOrder                *int32
	ParentSet                bool
	ParentID                 *uuid.UUID
	TargetDateSet            bool
	TargetDate               *string
}

// UpdateTopic validates and applies a change; a move checks depth and cycles
// under the topic-tree lock.
func (s *Service) UpdateTopic(ctx context.Context, userID, id uuid.UUID, ch TopicChange) (dbgen.Topic, error) {
	params := dbgen.UpdateTopicParams{ID: id, UserID: userID, SetParent: ch.ParentSet, ParentID: ch.ParentID, SetTargetDate: ch.TargetDateSet}
	fe := apperr.Fields{}
	if ch.Name != nil {
		v, err := NormalizeName(*ch.Name)
		fe.Check("name", err)
		params.Name = &v
	}
	if ch.Description != nil {
		v, err := NormalizeDescription(*ch.Description)
		fe.Check("description", err)
		params.Description = &v
	}
	if ch.Color != nil {
		v, err := NormalizeColor(*ch.Color)
		fe.Check("color", err)
		params.Color = &v
	}
	if ch.SortOrder != nil {
		fe.Check("sort_order", CheckSortOrder(*ch.SortOrder))
		params.SortOrder = ch.SortOrder
	}
	if ch.TargetDate != nil {
		d, err := ParseDate(*ch.TargetDate)
		fe.Check("target_date", err)
		params.TargetDate = &d
	}
	if err := fe.Err(); err != nil {
		return dbgen.Topic{}, err
	}
	var topic dbgen.Topic
	err := s.inTx(ctx, func(q *dbgen.Queries) error {
		if ch.ParentSet {
			if err := q.LockTopicTree(ctx, userID); err != nil {
				return err
			}
		}
		current, err := s.GetTopic(ctx, q, userID, id)
		if err != nil {
			return err
		}
		if ch.ParentID != nil && (current.ParentID == nil || *current.ParentID != *ch.ParentID) {
			height, err := subtreeHeight(ctx, q, userID, current.ID)
			if err != nil {
				return err
			}
			if err := checkPlacement(ctx, q, userID, *ch.ParentID, &current.ID, height); err != nil {
				return err
			}
		}
		params.Now = s.now()
		topic, err = q.UpdateTopic(ctx, params)
		return err
	})
	return topic, err
}

// subtreeHeight is 1 for a topic without children, 2 with children, ...
func subtreeHeight(ctx context.Context, q *dbgen.Queries, userID, id uuid.UUID) (int, error) {
	sub, err := q.ListTopicSubtree(ctx, dbgen.ListTopicSubtreeParams{TopicID: id, UserID: userID})
	height := 0
	for _, n := range sub {
		height = max(height, int(n.Level)+1)
	}
	return height, err
}

// subtreeIDs is the topic and all its descendants.
func subtreeIDs(ctx context.Context, q *dbgen.Queries, userID, id uuid.UUID) ([]uuid.UUID, error) {
	sub, err := q.ListTopicSubtree(ctx, dbgen.ListTopicSubtreeParams{TopicID: id, UserID: userID})
	ids := make([]uuid.UUID, len(sub))
	for i, n := range sub {
		ids[i] = n.ID
	}
	return ids, err
}

// DeleteTopic deletes an empty topic; with cascade also its subtopics and
// every PDF in them (their files are removed after the commit).
func (s *Service) DeleteTopic(ctx context.Context, userID, id uuid.UUID, cascade bool) error {
	var keys []string
	err := s.inTx(ctx, func(q *dbgen.Queries) error {
		if err := q.LockTopicTree(ctx, userID); err != nil {
			return err
		}
		topic, err := s.GetTopic(ctx, q, userID, id)
		if err != nil {
			return err
		}
		if !cascade {
			contents, err := q.CountTopicContents(ctx, dbgen.CountTopicContentsParams{TopicID: topic.ID, UserID: userID})
			if err != nil {
				return err
			}
			if contents.Children > 0 || contents.Pdfs > 0 {
				e := apperr.New(apperr.Conflict, "topic_not_empty", "the topic has subtopics or PDFs; move them or delete with ?cascade=true")
				e.Details = map[string]any{"subtopics": contents.Children, "pdfs": contents.Pdfs}
				return e
			}
		}
		ids, err := subtreeIDs(ctx, q, userID, topic.ID)
		if err != nil {
			return err
		}
		if keys, err = q.DeletePDFsInTopics(ctx, dbgen.DeletePDFsInTopicsParams{UserID: userID, TopicIds: ids}); err != nil {
			return err
		}
		_, err = q.DeleteTopic(ctx, dbgen.DeleteTopicParams{ID: topic.ID, UserID: userID})
		return err
	})
	if err != nil {
		return err
	}
	s.RemoveFiles(ctx, keys)
	return nil
}

// SetArchived archives (or restores) the topic and everything under it; a
// topic is restored only when its parent is not archived.
func (s *Service) SetArchived(ctx context.Context, userID, id uuid.UUID, archive bool) (dbgen.Topic, error) {
	var topic dbgen.Topic
	err := s.inTx(ctx, func(q *dbgen.Queries) error {
		if err := q.LockTopicTree(ctx, userID); err != nil {
			return err
		}
		var err error
		if topic, err = s.GetTopic(ctx, q, userID, id); err != nil {
			return err
		}
		if !archive && topic.ParentID != nil {
			parent, err := q.GetTopic(ctx, dbgen.GetTopicParams{ID: *topic.ParentID, UserID: userID})
			if err != nil {
				return err
			}
			if parent.ArchivedAt != nil {
				return errParentArchived
			}
		}
		ids, err := subtreeIDs(ctx, q, userID, topic.ID)
		if err != nil {
			return err
		}
		now := s.now()
		var at *time.Time
		if archive {
			at = &now
		}
		if _, err := q.SetTopicsArchived(ctx, dbgen.SetTopicsArchivedParams{UserID: userID, Ids: ids, ArchivedAt: at, Now: now}); err != nil {
			return err
		}
		topic, err = q.GetTopic(ctx, dbgen.GetTopicParams{ID: topic.ID, UserID: userID})
		return err
	})
	return topic, err
}
