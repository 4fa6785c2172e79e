// The peers' write path and the full-array read, shared by the Socket.IO (Node) and the
// full-array (Bun) servers. Same tables and commit clock as our server, in one statement.

const CURSOR = `'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'`;
const COLUMNS = `id, space_id AS "spaceId", author_id AS "authorId", content,
  to_char(created_at AT TIME ZONE 'UTC', ${CURSOR}) AS "createdAt",
  to_char(updated_at AT TIME ZONE 'UTC', ${CURSOR}) AS "updatedAt"`;

/** Stamps the change with the space clock (row lock on the space) and inserts it. */
export async function persist(sql, spaceId, authorId, content) {
  const [row] = await sql.unsafe(
    `WITH clock AS (
       UPDATE spaces SET head = GREATEST(clock_timestamp(), head + interval '1 microsecond')
       WHERE id = $1 RETURNING head)
     INSERT INTO intentions (id, space_id, author_id, content, created_at, updated_at)
     SELECT gen_random_uuid(), $1, $2, $3, head, head FROM clock
     RETURNING ${COLUMNS}`,
    [spaceId, authorId, content],
  );
  return row;
}

/** The original design's read: every live intention of the space, oldest first. */
export function listAll(sql, spaceId) {
  return sql.unsafe(
    `SELECT ${COLUMNS} FROM intentions
     WHERE space_id = $1 AND deleted_at IS NULL ORDER BY created_at`,
    [spaceId],
  );
}

/** Reads a request body as JSON (node:http). */
export function readJson(request) {
  return new Promise((resolve, reject) => {
    let text = "";
    request.setEncoding("utf8");
    request.on("data", (chunk) => {
      text += chunk;
    });
    request.on("end", () => {
      try {
        resolve(JSON.parse(text));
      } catch (error) {
        reject(error);
      }
    });
    request.on("error", reject);
  });
}
