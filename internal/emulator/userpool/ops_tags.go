package userpool

import (
	"maps"
	"strings"
)

// Tags of user pools, as Cognito has them: TagResource, UntagResource and
// ListTagsForResource take the pool's ARN as DescribeUserPool gives it
// (arn:aws:cognito-idp:<region>:123456789012:userpool/<id>), and share one
// store with CreateUserPool's and UpdateUserPool's UserPoolTags, which
// DescribeUserPool returns.

func init() {
	registerTarget(idpTarget, map[string]op{
		"TagResource":         {fn: opTagResource},
		"UntagResource":       {fn: opUntagResource},
		"ListTagsForResource": {fn: opListTagsForResource, readOnly: true},
	})
}

// MaxTags is how many tags a user pool may carry.
const MaxTags = 50

// accountID is the account the emulator's ARNs name.
const accountID = "123456789012"

// poolARN is the ARN of a user pool in the server's region.
func (s *Server) poolARN(id string) string {
	return "arn:aws:cognito-idp:" + s.opts.Region + ":" + accountID + ":userpool/" + id
}

// poolByARN finds the user pool an ARN names; any other ARN (another
// service, region or account, or a pool that does not exist) is not
// found.
func (s *Server) poolByARN(arn string) (*pool, error) {
	if err := required("resourceArn", arn); err != nil {
		return nil, err
	}
	id, ok := strings.CutPrefix(arn, "arn:aws:cognito-idp:"+s.opts.Region+":"+accountID+":userpool/")
	if p := s.st.Pools[id]; ok && p != nil {
		return p, nil
	}
	return nil, errorf("ResourceNotFoundException", "The resource %s does not exist.", arn)
}

// checkTags validates tags as Cognito does: keys of 1 to 128 characters
// that do not start with "aws:", values of at most 256, and no more than
// MaxTags of them.
func checkTags(tags map[string]string) error {
	if len(tags) > MaxTags {
		return errInvalidParam("A resource may have at most %d tags; %d were given.", MaxTags, len(tags))
	}
	for _, k := range sortedKeys(tags) {
		if err := checkTagKey(k); err != nil {
			return err
		}
		switch {
		case strings.HasPrefix(strings.ToLower(k), "aws:"):
			return errInvalidParam("Tag keys starting with aws: are reserved for AWS use: %s", k)
		case len([]rune(tags[k])) > 256:
			return errInvalidParam("The value of tag %s must have at most 256 characters.", k)
		}
	}
	return nil
}

// checkTagKey refuses a tag key that is empty or longer than 128
// characters.
func checkTagKey(k string) error {
	if k == "" || len([]rune(k)) > 128 {
		return errInvalidParam("Tag key %q must have between 1 and 128 characters.", k)
	}
	return nil
}

type tagsInput struct {
	ResourceArn string            `json:"ResourceArn"`
	Tags        map[string]string `json:"Tags"`
	TagKeys     []string          `json:"TagKeys"`
}

// decodeTags decodes a tagging input and finds the pool it names.
func (s *Server) decodeTags(c *call) (*tagsInput, *pool, error) {
	var in tagsInput
	if err := c.decode(&in); err != nil {
		return nil, nil, err
	}
	p, err := s.poolByARN(in.ResourceArn)
	return &in, p, err
}

// TagResource adds tags to the pool, replacing the values of keys it
// already has; the result may not exceed MaxTags.
func opTagResource(s *Server, c *call) (any, error) {
	in, p, err := s.decodeTags(c)
	if err != nil {
		return nil, err
	}
	if in.Tags == nil {
		return nil, errInvalidParam("1 validation error detected: Value null at 'tags' failed to satisfy constraint: Member must not be null")
	}
	merged := maps.Clone(p.Tags)
	if merged == nil {
		merged = map[string]string{}
	}
	maps.Copy(merged, in.Tags)
	if err := checkTags(merged); err != nil {
		return nil, err
	}
	p.Tags = merged
	return map[string]any{}, nil
}

// UntagResource removes the tags of the keys given; a key the pool does
// not carry is ignored.
func opUntagResource(s *Server, c *call) (any, error) {
	in, p, err := s.decodeTags(c)
	if err != nil {
		return nil, err
	}
	if in.TagKeys == nil {
		return nil, errInvalidParam("1 validation error detected: Value null at 'tagKeys' failed to satisfy constraint: Member must not be null")
	}
	for _, k := range in.TagKeys {
		if err := checkTagKey(k); err != nil {
			return nil, err
		}
	}
	for _, k := range in.TagKeys {
		delete(p.Tags, k)
	}
	if len(p.Tags) == 0 {
		p.Tags = nil
	}
	return map[string]any{}, nil
}

func opListTagsForResource(s *Server, c *call) (any, error) {
	_, p, err := s.decodeTags(c)
	if err != nil {
		return nil, err
	}
	tags := maps.Clone(p.Tags)
	if tags == nil {
		tags = map[string]string{}
	}
	return map[string]any{"Tags": tags}, nil
}
