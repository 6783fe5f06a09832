package iam

import (
	"net/url"
	"strings"
	"time"
)

// The XML of IAM's answers (service model iam 2010-05-08): lists are
// <member> elements; policy documents are URL-encoded, as IAM returns
// them.

// roleXML is the Role shape.
type roleXML struct {
	Path                     string
	RoleName                 string
	RoleID                   string `xml:"RoleId"`
	Arn                      string
	CreateDate               string
	AssumeRolePolicyDocument string
	Description              string       `xml:",omitempty"`
	MaxSessionDuration       int          `xml:",omitempty"`
	PermissionsBoundary      *boundaryXML `xml:",omitempty"`
	Tags                     []tagXML     `xml:"Tags>member,omitempty"`
	RoleLastUsed             *struct{}    `xml:",omitempty"`
}

type boundaryXML struct {
	PermissionsBoundaryType string
	PermissionsBoundaryArn  string
}

type tagXML struct {
	Key   string
	Value string
}

// roleXMLOf describes a role. full adds what GetRole returns and ListRoles
// does not: tags, permissions boundary and RoleLastUsed (empty: the
// emulator does not track use).
func roleXMLOf(arn string, rec *record, full bool) roleXML {
	out := roleXML{Path: rec.Path, RoleName: rec.Name, RoleID: rec.ID, Arn: arn,
		CreateDate: rec.Created.UTC().Format(time.RFC3339), AssumeRolePolicyDocument: encodeDocument(rec.AssumeRolePolicy),
		Description: rec.Description, MaxSessionDuration: rec.MaxSessionDuration}
	if full {
		out.Tags = tagsXMLOf(rec.Tags)
		out.RoleLastUsed = &struct{}{}
		if rec.PermissionsBoundary != "" {
			out.PermissionsBoundary = &boundaryXML{PermissionsBoundaryType: "Policy", PermissionsBoundaryArn: rec.PermissionsBoundary}
		}
	}
	return out
}

func tagsXMLOf(tags []Tag) []tagXML {
	out := make([]tagXML, len(tags))
	for i, t := range tags {
		out[i] = tagXML(t)
	}
	return out
}

// encodeDocument URL-encodes a policy document as IAM returns it
// (RFC 3986: a space is %20).
func encodeDocument(doc string) string {
	return strings.ReplaceAll(url.QueryEscape(doc), "+", "%20")
}

// list is a list of members; it is written even when empty (<Roles/>).
type list[T any] struct {
	Member []T `xml:"member"`
}

// pageXML ends a list result.
type pageXML struct {
	IsTruncated bool
	Marker      string `xml:",omitempty"`
}

type roleResult struct {
	Role roleXML
}

type listRolesResult struct {
	Roles list[roleXML]
	pageXML
}

type getRolePolicyResult struct {
	RoleName       string
	PolicyName     string
	PolicyDocument string
}

type listRolePoliciesResult struct {
	PolicyNames list[string]
	pageXML
}

type attachedXML struct {
	PolicyName string
	PolicyArn  string
}

type listAttachedResult struct {
	AttachedPolicies list[attachedXML]
	pageXML
}

type listInstanceProfilesResult struct {
	InstanceProfiles list[struct{}]
	pageXML
}

type listRoleTagsResult struct {
	Tags list[tagXML]
	pageXML
}
