import { parsePrismaSchema } from './prisma-schema.parser';

describe('parsePrismaSchema', () => {
  const schema = parsePrismaSchema(`
// a comment with a } brace
generator client { provider = "prisma-client" }
enum Kind {
  A
  B @map("bee") // trailing comment
  @@map("kind_t")
}
model Thing {
  id        String    @id @default(dbgenerated("gen_random_uuid()")) @db.Uuid
  label     String?   @map("the_label") @db.VarChar(40)
  meta      Json      @default("{}")   // default with braces
  kinds     Kind[]
  ownerId   String    @map(name: "owner_id")
  owner     Owner     @relation("owns", fields: [ownerId], references: [id], onDelete: Cascade)
  legacy    Unsupported("tsvector")?
  @@unique([ownerId, label], name: "owner_label")
  @@index(fields: [label(ops: raw("gin_trgm_ops"))], type: Gin)
  @@map("thing")
}
model Owner {
  id     String  @id
  things Thing[] @relation("owns")
}
`);

  it('reads models with their table and column names', () => {
    expect(schema.models.map((m) => [m.name, m.table])).toEqual([
      ['Thing', 'thing'],
      ['Owner', 'Owner'],
    ]);
    const thing = schema.models[0]!;
    expect(thing.fields.map((f) => [f.name, f.column, f.type, f.optional, f.list])).toEqual([
      ['id', 'id', 'String', false, false],
      ['label', 'the_label', 'String', true, false],
      ['meta', 'meta', 'Json', false, false],
      ['kinds', 'kinds', 'Kind', false, true],
      ['ownerId', 'owner_id', 'String', false, false],
      ['owner', 'owner', 'Owner', false, false],
      ['legacy', 'legacy', 'Unsupported', true, false],
    ]);
    expect(thing.fields[0]!.isId).toBe(true);
    expect(thing.fields[1]!.nativeType).toEqual({ name: 'VarChar', args: ['40'] });
    expect(thing.fields[5]!.relation).toEqual({ fields: ['ownerId'], references: ['id'] });
    expect(thing.fields[6]!.unsupportedType).toBe('tsvector');
    expect(thing.blockAttributes.map((a) => a.name)).toEqual(['unique', 'index', 'map']);
  });

  it('reads enums with mapped values and names', () => {
    expect(schema.enums).toEqual([{ name: 'Kind', dbName: 'kind_t', values: ['A', 'bee'] }]);
  });
});
