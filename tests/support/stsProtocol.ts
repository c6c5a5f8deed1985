/**
 * The AWS STS query protocol, as the real `@aws-sdk/client-sts` and the credential providers speak
 * it: `POST /` with a form body (`Action=...&Version=2011-06-15&...`), answered with XML. Errors are
 * an `<ErrorResponse>` whose `<Code>` names the error shape, with the HTTP status the service uses.
 *
 * Used by the loopback EMR Serverless server (`emrServerlessServer.ts`), which answers STS on the
 * same port so that one fake "AWS" decides which account a set of credentials belongs to, both for
 * STS GetCallerIdentity and for which applications EMR Serverless lets the caller see.
 */

/** The STS actions the loopback understands. */
export type StsAction = "AssumeRole" | "GetCallerIdentity";

/** Temporary credentials handed out by AssumeRole. */
export interface StsCredentials {
    accessKeyId: string;
    secretAccessKey: string;
    sessionToken: string;
}

/** Who a caller is, as GetCallerIdentity reports it. */
export interface StsIdentity {
    account: string;
    /** The caller's ARN, e.g. `arn:aws:iam::111122223333:user/deployer`. */
    arn: string;
    userId: string;
}

const NS = "https://sts.amazonaws.com/doc/2011-06-15/";

/** The STS action of a request, or undefined when it is not an STS request. */
export function stsActionOf(method: string, path: string, body: string): StsAction | undefined {
    if (method !== "POST" || path !== "/") {
        return undefined;
    }
    const action = new URLSearchParams(body).get("Action");
    return action === "AssumeRole" || action === "GetCallerIdentity" ? action : undefined;
}

function escapeXml(s: string): string {
    return s.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The AssumeRole response for `roleArn` and `sessionName`. */
export function assumeRoleXml(
    credentials: StsCredentials,
    roleArn: string,
    sessionName: string,
    requestId: string,
): string {
    const account = /^arn:[^:]+:iam::(\d{12}):/.exec(roleArn)?.[1] ?? "111122223333";
    const roleName = roleArn.slice(roleArn.lastIndexOf("/") + 1) || "role";
    return (
        `<AssumeRoleResponse xmlns="${NS}"><AssumeRoleResult><Credentials>` +
        `<AccessKeyId>${escapeXml(credentials.accessKeyId)}</AccessKeyId>` +
        `<SecretAccessKey>${escapeXml(credentials.secretAccessKey)}</SecretAccessKey>` +
        `<SessionToken>${escapeXml(credentials.sessionToken)}</SessionToken>` +
        "<Expiration>2099-01-01T00:00:00Z</Expiration></Credentials>" +
        `<AssumedRoleUser><Arn>arn:aws:sts::${account}:assumed-role/${escapeXml(roleName)}/${escapeXml(sessionName)}</Arn>` +
        `<AssumedRoleId>AROAEXAMPLE:${escapeXml(sessionName)}</AssumedRoleId></AssumedRoleUser>` +
        `</AssumeRoleResult><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></AssumeRoleResponse>`
    );
}

/** The GetCallerIdentity response. */
export function callerIdentityXml(identity: StsIdentity, requestId: string): string {
    return (
        `<GetCallerIdentityResponse xmlns="${NS}"><GetCallerIdentityResult>` +
        `<Arn>${escapeXml(identity.arn)}</Arn><UserId>${escapeXml(identity.userId)}</UserId>` +
        `<Account>${escapeXml(identity.account)}</Account>` +
        `</GetCallerIdentityResult><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></GetCallerIdentityResponse>`
    );
}

/** An STS error body (`Sender` faults for 4xx, `Receiver` for 5xx). */
export function stsErrorXml(status: number, code: string, message: string, requestId: string): string {
    const type = status >= 500 ? "Receiver" : "Sender";
    return (
        `<ErrorResponse xmlns="${NS}"><Error><Type>${type}</Type><Code>${escapeXml(code)}</Code>` +
        `<Message>${escapeXml(message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`
    );
}
