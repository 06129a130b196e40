package ambassadors

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/agora-community/agora/commands"
	"github.com/agora-community/agora/commands/markup"
	"github.com/agora-community/agora/commands/meetups/places"
	"github.com/agora-community/agora/commands/welcome"
	"github.com/agora-community/agora/locales"
	"github.com/agora-community/agora/model"
)

// The application form's fields.
const (
	fieldCity         = "ville"
	fieldMotivation   = "motivation"
	fieldAvailability = "disponibilites"
)

// apply is /ambassadeur postuler: the application form (a Discord modal; a
// guided conversation on Telegram and in the console). A member with an
// open application is shown where it stands instead. On Telegram the
// application continues in private chat, so a group does not read it.
func (s *service) apply(ctx context.Context, req *commands.Request) (*commands.Response, error) {
	if req.Chat.Private {
		// A private chat belongs to no community of its own worth applying
		// to: the application starts where the community is.
		return nil, commands.Fail("ambassador.apply.private_chat")
	}
	if r, err := s.openStatus(ctx, req, req.Community.ID); r != nil || err != nil {
		return r, err
	}
	form := applicationForm(req.Loc, req.Community.ID)
	if req.Platform != commands.PlatformTelegram {
		return &commands.Response{Modal: form}, nil
	}
	start := &commands.Response{
		Text:    req.Loc.T("ambassador.apply.private_start", locales.Data{"Community": req.Community.Name}),
		Buttons: []commands.Button{{Label: req.Loc.S("ambassador.apply.private_button"), Action: formRoute(req.Community.ID), Style: commands.ButtonPrimary}},
	}
	_, err := s.messenger.DirectMessage(ctx, req.Platform, req.User.ID, start)
	if err == nil {
		// Public: the group reads it in the community's language.
		return commands.Reply(commands.PublicLocalizer(s.catalog, req).T("ambassador.apply.continue_private", locales.Data{"Name": req.Member.Name})), nil
	}
	if !errors.Is(err, commands.ErrDirectMessageRefused) {
		s.log.Warn("ambassadors: write to an applicant privately", "platform", req.Platform, "error", err)
	}
	// They never started a private chat with Agora: the questions are
	// asked in the group rather than not at all.
	return &commands.Response{Text: req.Loc.T("ambassador.apply.in_group"), Modal: form}, nil
}

func formRoute(communityID int64) string  { return "amb/form/" + strconv.FormatInt(communityID, 10) }
func applyRoute(communityID int64) string { return "amb/apply/" + strconv.FormatInt(communityID, 10) }

func applicationForm(l *locales.Localizer, communityID int64) *commands.Modal {
	return &commands.Modal{Action: applyRoute(communityID), Title: l.S("ambassador.form.title"), Fields: []commands.ModalField{
		{ID: fieldCity, Label: l.S("ambassador.form.city"), Placeholder: l.S("ambassador.form.city_placeholder"), Required: true, MaxLength: MaxCity},
		{ID: fieldMotivation, Label: l.S("ambassador.form.motivation"), Placeholder: l.S("ambassador.form.motivation_placeholder"), Long: true, Required: true, MaxLength: MaxMotivation},
		{ID: fieldAvailability, Label: l.S("ambassador.form.availability"), Placeholder: l.S("ambassador.form.availability_placeholder"), Long: true, Required: true, MaxLength: MaxAvailability},
	}}
}

// applyingTo is the community an application form is for. The form and
// its button carry it, since on Telegram they are answered in private
// chat, which is no community's; in a community's own chat they may only
// be for that community.
func (s *service) applyingTo(ctx context.Context, req *commands.Request, communityID int64) (model.Community, error) {
	if !req.Chat.Private && communityID != req.Community.ID {
		return model.Community{}, commands.Fail("error.unknown_action")
	}
	c, err := s.store.Community(ctx, communityID)
	if errors.Is(err, model.ErrNotFound) {
		return model.Community{}, commands.Fail("error.unknown_action")
	}
	if err != nil {
		return model.Community{}, fmt.Errorf("ambassadors: %w", err)
	}
	return c, nil
}

// openForm is the button of the private message that continues an
// application started in a Telegram group.
func (s *service) openForm(ctx context.Context, req *commands.Request, communityID int64) (*commands.Response, error) {
	c, err := s.applyingTo(ctx, req, communityID)
	if err != nil {
		return nil, err
	}
	if r, err := s.openStatus(ctx, req, c.ID); r != nil || err != nil {
		return r, err
	}
	return &commands.Response{Text: req.Loc.T("ambassador.apply.form_intro", locales.Data{"Community": c.Name}), Modal: applicationForm(req.Loc, c.ID)}, nil
}

// openStatus tells a member who has an open application where it stands:
// one open application each. It returns nil when they have none.
func (s *service) openStatus(ctx context.Context, req *commands.Request, communityID int64) (*commands.Response, error) {
	a, err := s.store.OpenApplication(ctx, communityID, req.Member.ID)
	if errors.Is(err, model.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("ambassadors: %w", err)
	}
	data := locales.Data{"ID": a.ID, "City": a.City, "Date": req.Loc.Date(a.CreatedAt)}
	if a.Status == model.ApplicationApproved {
		if a.DecidedAt != nil {
			data["Date"] = req.Loc.Date(*a.DecidedAt)
		}
		return commands.Private(req.Loc.T("ambassador.apply.already_ambassador", data)), nil
	}
	return commands.Private(req.Loc.T("ambassador.apply.already_pending", data)), nil
}

// submit records a filled application form and posts it in the
// moderators' chat. The application is kept even when the community has
// no moderators' chat yet: moderators find it with /ambassadeur
// candidatures.
func (s *service) submit(ctx context.Context, req *commands.Request, communityID int64) (*commands.Response, error) {
	c, err := s.applyingTo(ctx, req, communityID)
	if err != nil {
		return nil, err
	}
	in, err := readApplication(req.Action.Fields)
	if err != nil {
		return nil, err
	}
	a := model.Application{
		CommunityID: c.ID, MemberID: req.Member.ID, City: in.City, CityKey: in.CityKey,
		Motivation: in.Motivation, Availability: in.Availability,
		Platform: req.Platform, PlatformUserID: req.User.ID, Locale: req.Loc.Lang(),
	}
	err = s.store.CreateApplication(ctx, &a, req.Now)
	if errors.Is(err, model.ErrConflict) {
		// Two forms sent at once, or a second one: the first counts.
		if r, err := s.openStatus(ctx, req, c.ID); r != nil || err != nil {
			return r, err
		}
	}
	if err != nil {
		return nil, fmt.Errorf("ambassadors: %w", err)
	}
	if d, err := s.outbox.Publish(ctx, c.ID, applicationSubject(a.ID), reviewPurposes); err != nil {
		s.log.Error("ambassadors: post an application for review", "application", a.ID, "error", err)
	} else if d.Chats == 0 {
		s.log.Warn("ambassadors: no moderators' chat to review an application in", "community", c.ID, "application", a.ID)
	}
	return commands.Private(req.Loc.T("ambassador.apply.received", locales.Data{"ID": a.ID, "Community": c.Name, "City": a.City})), nil
}

// applicationInput is a filled form, cleaned.
type applicationInput struct {
	City, CityKey, Motivation, Availability string
}

// readApplication cleans and checks the form's fields: the runtime does
// not check forms, and on text platforms anything may be typed.
func readApplication(fields map[string]string) (applicationInput, error) {
	city, key, err := readCity(fields[fieldCity])
	if err != nil {
		return applicationInput{}, err
	}
	motivation, err := readLong(fields[fieldMotivation], "ambassador.form.motivation", MaxMotivation)
	if err != nil {
		return applicationInput{}, err
	}
	availability, err := readLong(fields[fieldAvailability], "ambassador.form.availability", MaxAvailability)
	if err != nil {
		return applicationInput{}, err
	}
	return applicationInput{City: city, CityKey: key, Motivation: motivation, Availability: availability}, nil
}

// readCity reads a city or region: one line with single spaces, which must
// name something (letters or digits), and its folded key for the
// directory: "Saint-Étienne", "ST ETIENNE" and "st-étienne" are one city.
func readCity(raw string) (city, key string, err error) {
	city = strings.Join(strings.Fields(welcome.CleanText(raw)), " ")
	if n := utf8.RuneCountInString(city); n > MaxCity {
		return "", "", fieldError("ambassador.apply.too_long", "ambassador.form.city", locales.Data{"Length": locales.Quantity(n), "Max": locales.Quantity(MaxCity)})
	}
	key = places.FoldCity(city)
	if key == "" {
		return "", "", commands.Fail("ambassador.apply.bad_city", locales.Data{"Value": city})
	}
	return city, key, nil
}

func readLong(raw, labelID string, max int) (string, error) {
	text := welcome.CleanText(raw)
	if text == "" {
		return "", fieldError("ambassador.apply.missing", labelID, nil)
	}
	if n := utf8.RuneCountInString(text); n > max {
		return "", fieldError("ambassador.apply.too_long", labelID, locales.Data{"Length": locales.Quantity(n), "Max": locales.Quantity(max)})
	}
	return text, nil
}

// fieldError is a problem with one field of the form, named as the
// member reads it.
func fieldError(id, labelID string, data locales.Data) error {
	return &commands.UserError{ID: id, Data: data, LocalData: func(l *locales.Localizer) locales.Data {
		return locales.Data{"Field": l.S(labelID)}
	}}
}

// applicationText is an application as moderators read it.
func applicationText(l *locales.Localizer, a model.Application) markup.Text {
	lines := []markup.Text{
		l.T("ambassador.review.title", locales.Data{"ID": a.ID}),
		l.T("ambassador.review.who", locales.Data{"Name": a.MemberName, "City": a.City}),
		l.T("ambassador.review.motivation", locales.Data{"Text": a.Motivation}),
		l.T("ambassador.review.availability", locales.Data{"Text": a.Availability}),
		l.T("ambassador.review.sent", locales.Data{"Date": l.DateTime(a.CreatedAt)}),
	}
	if line := decisionLine(l, a); line != "" {
		lines = append(lines, line)
	}
	return markup.Join(lines, "\n")
}
