//go:build windows

package session

import (
	"encoding/binary"
	"errors"
	"fmt"

	"golang.org/x/sys/windows"
)

// tokenStatisticsSize is sizeof(TOKEN_STATISTICS): TokenId (LUID, 0),
// AuthenticationId (LUID, 8), ExpirationTime (LARGE_INTEGER, 16),
// TokenType (24), ImpersonationLevel (28), DynamicCharged (32),
// DynamicAvailable (36), GroupCount (40), PrivilegeCount (44),
// ModifiedId (LUID, 48).
const tokenStatisticsSize = 56

// authIDOffset is the offset of AuthenticationId in TOKEN_STATISTICS.
const authIDOffset = 8

// CurrentAuthenticationID returns the logon session of this process: the
// AuthenticationId of its token's TokenStatistics, as
// HighPart<<32 | LowPart. It is never 0 on success: where the system
// reports 0 (Wine does not implement logon sessions) the error wraps
// errors.ErrUnsupported, and callers fall back to the plain, own-session
// names.
func CurrentAuthenticationID() (uint64, error) {
	var t windows.Token
	if err := windows.OpenProcessToken(windows.CurrentProcess(), windows.TOKEN_QUERY, &t); err != nil {
		return 0, fmt.Errorf("open process token: %w", err)
	}
	defer t.Close()
	return TokenAuthenticationID(t)
}

// TokenAuthenticationID returns the logon session of a token opened with
// TOKEN_QUERY (a process, thread or impersonation token).
func TokenAuthenticationID(t windows.Token) (uint64, error) {
	var buf [tokenStatisticsSize]byte
	var n uint32
	if err := windows.GetTokenInformation(t, windows.TokenStatistics, &buf[0], uint32(len(buf)), &n); err != nil {
		return 0, fmt.Errorf("token statistics: %w", err)
	}
	return parseTokenStatistics(buf[:min(int(n), len(buf))])
}

// parseTokenStatistics reads AuthenticationId from a TOKEN_STATISTICS
// (LUID: LowPart DWORD, then HighPart LONG, little-endian).
func parseTokenStatistics(b []byte) (uint64, error) {
	if len(b) < authIDOffset+8 {
		return 0, fmt.Errorf("token statistics of %d bytes: need %d", len(b), authIDOffset+8)
	}
	low := binary.LittleEndian.Uint32(b[authIDOffset:])
	high := binary.LittleEndian.Uint32(b[authIDOffset+4:])
	id := uint64(high)<<32 | uint64(low)
	if id == 0 {
		return 0, fmt.Errorf("token statistics: the system reports no logon session (AuthenticationId 0; Wine does not implement it): %w", errors.ErrUnsupported)
	}
	return id, nil
}
