import { Injectable } from '@nestjs/common';
import { mintLinkToken, type LinkPurpose } from '../../common/security/link-token.js';
import { InjectConfig, type AppConfig } from '../../config/app-config.js';

const PAGES: Record<LinkPurpose, string> = {
  verify_email: 'verify-email',
  reset_password: 'reset-password',
};

/**
 * Builds a mail's link where the mail is sent: APP_URL/verify-email?token=... The token is
 * minted here from the token row's id, so it exists only in the rendered mail.
 */
@Injectable()
export class MailLinks {
  private readonly base: string;

  constructor(@InjectConfig() private readonly config: AppConfig) {
    const appUrl = config.mail.appUrl;
    this.base = appUrl.endsWith('/') ? appUrl : `${appUrl}/`;
  }

  url(purpose: LinkPurpose, tokenId: number): string {
    const url = new URL(PAGES[purpose], this.base);
    url.searchParams.set('token', mintLinkToken(this.config.jwt.secret, purpose, tokenId));
    return url.toString();
  }
}
