import type { Request, Response } from 'express';
import { DEFAULT_INSTALL_LANGUAGE, INSTALL_LANGUAGES, type InstallLanguage } from '../../domain/install-kit/install-steps';

/** The best of our install languages for Accept-Language (fr-FR -> fr), English when none fits; sets Content-Language and Vary. */
export function negotiateInstallLanguage(req: Request, res: Response): InstallLanguage {
  const best = req.acceptsLanguages([...INSTALL_LANGUAGES]);
  const language = (best || DEFAULT_INSTALL_LANGUAGE) as InstallLanguage;
  res.setHeader('Content-Language', language);
  res.vary('Accept-Language');
  return language;
}
