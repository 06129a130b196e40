package faq

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"sync"

	"golang.org/x/sync/singleflight"

	"github.com/agora-community/agora/commands/faq/search"
	"github.com/agora-community/agora/model"
)

// communityFAQ is what one community's FAQ needs at hand to answer without
// the database: the search index, the entries' texts, and where and how
// surely to answer on its own. It is read-only once built.
type communityFAQ struct {
	index   *search.Index
	entries map[int64]model.FAQEntry
	ids     []int64 // entry IDs, ascending
	// popular lists entry IDs, most asked first as of the build, for an
	// autocomplete before the member has typed anything.
	popular   []int64
	autoChats map[int64]bool
	threshold float64 // confidence for automatic answers, 0 to 1
}

func (f *communityFAQ) entry(id int64) (model.FAQEntry, bool) {
	e, ok := f.entries[id]
	return e, ok
}

// build makes a community's FAQ from what the store holds.
func build(entries []model.FAQEntry, autoChats []int64, threshold float64) *communityFAQ {
	f := &communityFAQ{entries: make(map[int64]model.FAQEntry, len(entries)), autoChats: map[int64]bool{}, threshold: threshold}
	var docs []search.Entry
	for _, e := range entries {
		f.entries[e.ID] = e
		f.ids = append(f.ids, e.ID)
		for _, t := range e.Texts {
			docs = append(docs, search.Entry{ID: e.ID, Lang: t.Lang, Question: t.Question, Phrasings: t.Phrasings, Tags: t.Tags, Answer: t.Answer})
		}
	}
	slices.Sort(f.ids)
	f.popular = slices.Clone(f.ids)
	slices.SortStableFunc(f.popular, func(a, b int64) int { return cmp.Compare(f.entries[b].AskedCount, f.entries[a].AskedCount) })
	f.index = search.NewIndex(docs)
	for _, id := range autoChats {
		f.autoChats[id] = true
	}
	return f
}

// maxCachedCommunities bounds memory: beyond it the cache starts over and
// each community's FAQ is rebuilt on its next question.
const maxCachedCommunities = 10000

// indexCache keeps each community's FAQ, built on first use and dropped
// when it changes. A generation per community makes sure an index built
// from data read before a change is never kept after it.
type indexCache struct {
	load func(ctx context.Context, communityID int64) (*communityFAQ, error)

	mu      sync.Mutex
	byID    map[int64]*communityFAQ
	gens    map[int64]uint64
	epoch   uint64 // bumped when everything is dropped
	flights singleflight.Group
}

func newIndexCache(load func(ctx context.Context, communityID int64) (*communityFAQ, error)) *indexCache {
	return &indexCache{load: load, byID: map[int64]*communityFAQ{}, gens: map[int64]uint64{}}
}

// get returns the community's FAQ, building it when needed. Concurrent
// first questions share one build.
func (c *indexCache) get(ctx context.Context, communityID int64) (*communityFAQ, error) {
	c.mu.Lock()
	if f, ok := c.byID[communityID]; ok {
		c.mu.Unlock()
		return f, nil
	}
	gen, epoch := c.gens[communityID], c.epoch
	c.mu.Unlock()

	key := strconv.FormatInt(communityID, 10) + "/" + strconv.FormatUint(gen, 10) + "/" + strconv.FormatUint(epoch, 10)
	v, err, _ := c.flights.Do(key, func() (any, error) {
		f, err := c.load(ctx, communityID)
		if err != nil {
			return nil, err
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		if c.gens[communityID] == gen && c.epoch == epoch {
			if len(c.byID) >= maxCachedCommunities {
				clear(c.byID)
			}
			c.byID[communityID] = f
		}
		return f, nil
	})
	if err != nil {
		return nil, err
	}
	return v.(*communityFAQ), nil
}

// forget drops a community's FAQ; the next question rebuilds it.
func (c *indexCache) forget(communityID int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.byID, communityID)
	c.gens[communityID]++
}

// forgetAll drops every community's FAQ.
func (c *indexCache) forgetAll() {
	c.mu.Lock()
	defer c.mu.Unlock()
	clear(c.byID)
	c.epoch++
}

// load reads a community's FAQ from the store.
func (s *service) load(ctx context.Context, communityID int64) (*communityFAQ, error) {
	entries, err := s.store.FAQEntries(ctx, communityID)
	if err != nil {
		return nil, err
	}
	chats, err := s.store.FAQAutoChats(ctx, communityID)
	if err != nil {
		return nil, err
	}
	threshold, err := s.threshold(ctx, communityID)
	if err != nil {
		return nil, err
	}
	return build(entries, chats, float64(threshold)/100), nil
}

// threshold reads the community's confidence for automatic answers, in
// percent; a value out of bounds (written by an older version) is the
// default.
func (s *service) threshold(ctx context.Context, communityID int64) (int, error) {
	v, err := thresholdSetting.Get(ctx, s.store, communityID, model.ErrNotFound)
	if err != nil {
		return 0, fmt.Errorf("read the FAQ threshold of community %d: %w", communityID, err)
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < minThreshold || n > maxThreshold {
		n, _ = strconv.Atoi(thresholdSetting.Default)
	}
	return n, nil
}

// faq returns the community's FAQ for a request.
func (s *service) faq(ctx context.Context, communityID int64) (*communityFAQ, error) {
	f, err := s.indexes.get(ctx, communityID)
	if err != nil {
		return nil, fmt.Errorf("load the FAQ of community %d: %w", communityID, err)
	}
	return f, nil
}
