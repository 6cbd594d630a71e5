import { describe, expect, it } from "vitest";
import { isWellFormedKey, mintKey } from "./api-key";

describe("API keys", () => {
  const secret = "abcdEFGH0123456789_-abcdEFGH0123456789_-abc";

  it("are minted as ck_<tier>_<secret>, recognised by a prefix of four secret characters", () => {
    expect(mintKey("partner", secret)).toEqual({ key: `ck_partner_${secret}`, prefix: "ck_partner_abcd" });
  });

  it("have one shape: anything else is not looked up", () => {
    expect(isWellFormedKey(mintKey("admin", secret).key)).toBe(true);
    expect(isWellFormedKey(`ck_root_${secret}`)).toBe(false);
    expect(isWellFormedKey("ck_admin_short")).toBe(false);
  });
});
