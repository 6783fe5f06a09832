package userpool

// UpdateGroup, as Cognito has it: the description, IAM role and
// precedence it is given replace the group's; one left out stays. The
// change shows in GetGroup and ListGroups at once, and in the
// cognito:groups, cognito:roles and cognito:preferred_role claims of the
// members' next tokens (tokens.go reads the groups at each sign-in and
// refresh).

func init() {
	registerTarget(idpTarget, map[string]op{"UpdateGroup": {fn: opUpdateGroup}})
}

func opUpdateGroup(s *Server, c *call) (any, error) {
	var in groupInput
	p, g, err := s.poolGroup(c, &in)
	if err != nil {
		return nil, err
	}
	if in.Precedence != nil && *in.Precedence < 0 {
		return nil, errInvalidParam("1 validation error detected: Value '%d' at 'precedence' failed to satisfy constraint: Member must have value greater than or equal to 0", *in.Precedence)
	}
	if in.Description != nil {
		g.Description = *in.Description
	}
	if in.RoleArn != nil {
		g.RoleArn = *in.RoleArn
	}
	if in.Precedence != nil {
		v := *in.Precedence
		g.Precedence = &v
	}
	g.Modified = c.now
	return map[string]any{"Group": groupWire(p, g)}, nil
}
