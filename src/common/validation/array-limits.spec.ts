import { ArrayMaxSize, IsArray } from 'class-validator';
import { describe, expect, it } from 'vitest';
import { arrayLimitErrors } from './array-limits.js';

class Tagged {
  @IsArray()
  @ArrayMaxSize(3, { message: 'tags must hold at most 3 tags' })
  tags!: string[];

  @ArrayMaxSize(2)
  codes!: string[];
}

class MoreTagged extends Tagged {
  @ArrayMaxSize(1, { message: 'extra must hold one value' })
  extra!: string[];
}

class Untagged {
  @IsArray()
  anything!: unknown[];
}

describe('arrayLimitErrors', () => {
  it("refuses an array longer than the DTO's @ArrayMaxSize, with the decorator's message", () => {
    expect(arrayLimitErrors(Tagged, { tags: ['a', 'b', 'c'] })).toBeNull();
    expect(arrayLimitErrors(Tagged, { tags: ['a', 'b', 'c', 'd'] })).toEqual({
      tags: 'tags must hold at most 3 tags',
    });
  });

  it('words a limit declared without a message', () => {
    expect(arrayLimitErrors(Tagged, { codes: ['a', 'b', 'c'] })).toEqual({
      codes: 'codes must contain at most 2 elements',
    });
  });

  it('applies the limits a DTO inherits', () => {
    expect(arrayLimitErrors(MoreTagged, { tags: Array(4).fill('a') })).toEqual({
      tags: 'tags must hold at most 3 tags',
    });
    expect(arrayLimitErrors(MoreTagged, { extra: ['a', 'b'] })).toEqual({
      extra: 'extra must hold one value',
    });
  });

  it('leaves validation to judge everything else', () => {
    expect(arrayLimitErrors(Tagged, { tags: 'not an array' })).toBeNull();
    expect(arrayLimitErrors(Tagged, null)).toBeNull();
    expect(arrayLimitErrors(Untagged, { anything: Array(10_000).fill(1) })).toBeNull();
  });
});
