/** The emergency phrase lists (shared/emergency-phrases.ts): every topic in both languages, matched on normalised whole words. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EMERGENCY_PHRASES, looksLikeEmergency, normalizeForMatching } from '../../shared/emergency-phrases.js';

describe('emergency phrases', () => {
  it('has a list for every kind of emergency in English and in French', () => {
    const topics = ['chestPain', 'stroke', 'breathing', 'suicideSelfHarm', 'bleeding', 'overdose', 'anaphylaxis'];
    for (const lang of ['en', 'fr'] as const) for (const topic of topics) assert.ok((EMERGENCY_PHRASES[lang] as Record<string, readonly string[]>)[topic]!.length > 0, `${lang} ${topic}`);
  });

  it('recognises each kind in English, whatever the case and punctuation', () => {
    for (const text of [
      'My chest hurts since this morning', 'I have CHEST PAINS', 'I think my face is drooping and my speech is slurred', 'I can’t breathe properly',
      "I can't breathe", 'Short of breath all night', 'I feel suicidal', 'I want to kill myself', 'thinking about self-harm again', 'The bleeding won’t stop',
      'I overdosed on my sleeping pills', 'Took too many pills', 'My throat is closing after the peanut', 'She is having a seizure',
    ]) assert.equal(looksLikeEmergency(text), true, text);
  });

  it('recognises each kind in French, with or without accents', () => {
    for (const text of [
      'J’ai une DOULEUR À LA POITRINE', "j'ai une douleur a la poitrine", 'Douleurs thoraciques depuis hier', 'Je pense faire un AVC', 'Il a la bouche croche',
      'Je suis très essoufflée', 'J’ai de la difficulté à respirer', 'Je ne peux pas respirer', 'Je veux me suicider', 'J’ai des idées suicidaires',
      'Je veux mettre fin à mes jours', 'hémorragie importante', 'Il a pris trop de comprimés', 'J’ai fait une surdose', 'ma gorge qui enfle, réaction allergique',
      'choc anaphylactique', 'Elle a perdu connaissance',
    ]) assert.equal(looksLikeEmergency(text), true, text);
  });

  it('matches whole words only, so ordinary messages pass', () => {
    for (const text of [
      'Please renew my prescription', 'I need my avocado allergy note from the avocat', 'I was unconsciously biting my nails', 'Rendez-vous pour mon bilan annuel',
      'Can I get a copy of my lab results?', 'Je souhaite annuler mon rendez-vous', 'My chestnut allergy form',
    ]) assert.equal(looksLikeEmergency(text), false, text);
  });

  it('normalises case, accents, ligatures and apostrophes the same way for text and phrases', () => {
    assert.equal(normalizeForMatching('J’AI MAL AU CŒUR — Évidemment!'), ' j ai mal au coeur evidemment ');
    assert.equal(normalizeForMatching("can't"), normalizeForMatching('can’t'));
  });
});
